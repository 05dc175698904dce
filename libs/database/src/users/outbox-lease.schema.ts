import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const OUTBOX_LEASES_COLLECTION = 'outbox_leases';

/**
 * Which relay (user-v1 or user-v2 process) is publishing a user's outbox right now. Keyed by
 * userId, so taking a lease is an insert that exactly one relay wins on any engine.
 */
@Schema({ collection: OUTBOX_LEASES_COLLECTION, versionKey: false })
export class OutboxLease {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) owner!: string;
  @Prop({ required: true }) expiresAt!: Date;
}

export const OutboxLeaseSchema = SchemaFactory.createForClass(OutboxLease);
