import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { UserEventProducer, UserEventType } from '@aware/contracts';
import { AddressDocument, AddressSchema } from '../address.schema';
import { USER_RULES } from '@aware/contracts';
import { propOf } from '../field-rules';

export const USERS_COLLECTION = 'users';

/** The event a user version emits, kept with it until the broker confirmed it (the outbox). */
@Schema({ _id: false, versionKey: false })
export class UserVersionEvent {
  @Prop({ required: true }) eventId!: string;
  @Prop({ type: String, required: true }) type!: UserEventType;
  @Prop({ required: true }) occurredAt!: Date;
  @Prop({ type: String, required: true }) producer!: UserEventProducer;
  @Prop() correlationId?: string;
  /** The W3C trace context of the request that caused the event, when tracing is on. */
  @Prop() traceparent?: string;
}

const UserVersionEventSchema = SchemaFactory.createForClass(UserVersionEvent);

/**
 * One immutable document per user version, keyed `<userId>:<version>`. Writing a change is a
 * single insert: the unique key makes concurrent writers of one version race safely on any
 * [engine-note: insert-only-writes]
 * engine (FerretDB has no atomic conditional update), and the event travels in the same
 * document, so the change and its event are stored atomically (transactional outbox).
 * The user is its newest version; the relay marks versions published and prunes older ones.
 */
@Schema({ collection: USERS_COLLECTION, versionKey: false, timestamps: false })
export class User {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) userId!: string;
  @Prop({ required: true, ...propOf(USER_RULES.version) }) version!: number;
  @Prop() firstName?: string;
  @Prop() lastName?: string;
  @Prop({ type: [String], required: true }) emails!: string[];
  @Prop({ type: AddressSchema, required: true }) deliveryAddress!: AddressDocument;
  @Prop() phoneNumber?: string;
  @Prop() createdAt?: Date;
  @Prop() updatedAt?: Date;
  @Prop({ type: UserVersionEventSchema, required: true }) event!: UserVersionEvent;
  /** False until the broker confirmed `event`. */
  @Prop({ required: true }) published!: boolean;
}

export const UserSchema = SchemaFactory.createForClass(User);
// The newest version of a user.
UserSchema.index({ userId: 1, version: -1 });
// Ownership checks by email; uniqueness itself is enforced by email claims.
UserSchema.index({ emails: 1 });
// The relay's sweep: unpublished events, oldest first.
UserSchema.index({ published: 1, 'event.occurredAt': 1 });

export function userVersionKey(userId: string, version: number): string {
  return `${userId}:${version}`;
}
