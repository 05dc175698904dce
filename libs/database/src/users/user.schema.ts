import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { AddressDocument, AddressSchema } from '../address.schema';

export const USERS_COLLECTION = 'users';

@Schema({ collection: USERS_COLLECTION, versionKey: false, timestamps: false })
export class User {
  @Prop({ required: true, unique: true }) userId!: string;
  @Prop() firstName?: string;
  @Prop() lastName?: string;
  @Prop({ type: [String], required: true }) emails!: string[];
  @Prop({ type: AddressSchema, required: true }) deliveryAddress!: AddressDocument;
  @Prop() phoneNumber?: string;
  @Prop() createdAt?: Date;
  @Prop() updatedAt?: Date;
  @Prop({ required: true, min: 1 }) version!: number;
}

export const UserSchema = SchemaFactory.createForClass(User);
// Lookup by email (ownership checks); uniqueness is enforced by email claims, not this index.
UserSchema.index({ emails: 1 });
