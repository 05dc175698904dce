import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { AddressDocument, AddressSchema } from '../address.schema';
import { USER_RULES } from '@aware/contracts';
import { propOf } from '../field-rules';

export const USER_PROJECTIONS_COLLECTION = 'user_projections';

/** The order service's copy of each user's synced fields, as of the newest event applied. */
@Schema({ collection: USER_PROJECTIONS_COLLECTION, versionKey: false })
export class UserProjection {
  /** The userId. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true, ...propOf(USER_RULES.version) }) version!: number;
  @Prop({ type: [String], required: true }) emails!: string[];
  @Prop({ type: AddressSchema, required: true }) deliveryAddress!: AddressDocument;
  @Prop({ required: true }) updatedAt!: Date;
}

export const UserProjectionSchema = SchemaFactory.createForClass(UserProjection);
