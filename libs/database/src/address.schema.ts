import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Address } from '@aware/contracts';

@Schema({ _id: false, versionKey: false })
export class AddressDocument implements Address {
  @Prop({ required: true }) street!: string;
  @Prop({ required: true }) city!: string;
  @Prop({ required: true }) state!: string;
  @Prop({ required: true }) postalCode!: string;
  @Prop({ required: true }) country!: string;
}

export const AddressSchema = SchemaFactory.createForClass(AddressDocument);
