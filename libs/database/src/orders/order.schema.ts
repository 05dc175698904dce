import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { OrderStatus } from '@aware/contracts';
import { AddressDocument, AddressSchema } from '../address.schema';
import {
  ITEM_PRICE,
  ITEM_QUANTITY,
  ORDER_STATUS,
  ORDER_USER_VERSION,
  TOTAL_PRICE,
} from '../field-rules';

export const ORDERS_COLLECTION = 'orders';

@Schema({ _id: false, versionKey: false })
export class OrderItemDocument {
  @Prop({ required: true }) itemId!: string;
  @Prop({ required: true, ...ITEM_QUANTITY.prop }) quantity!: number;
  @Prop({ required: true, ...ITEM_PRICE.prop }) price!: number;
}

export const OrderItemSchema = SchemaFactory.createForClass(OrderItemDocument);

@Schema({ collection: ORDERS_COLLECTION, versionKey: false, timestamps: false })
export class Order {
  @Prop({ required: true, unique: true }) orderId!: string;
  @Prop() userId?: string;
  @Prop({ type: [OrderItemSchema], required: true }) items!: OrderItemDocument[];
  @Prop({ required: true, ...TOTAL_PRICE.prop }) totalPrice!: number;
  @Prop({ type: [String], required: true }) userEmails!: string[];
  @Prop({ type: AddressSchema, required: true }) deliveryAddress!: AddressDocument;
  @Prop({ required: true, ...ORDER_STATUS.prop }) orderStatus!: OrderStatus;
  /**
   * The user version that userEmails/deliveryAddress reflect; 0 when they came from the request.
   * User events only overwrite orders holding an older version (docs/events.md). Never returned.
   */
  @Prop({ required: true, ...ORDER_USER_VERSION.prop }) userVersion!: number;
  /**
   * Set when the contact fields were last changed through PUT /orders/{id}/details rather than
   * by a user event: such an order may differ from the version it reflects on purpose. The next
   * user event applied clears it. Never returned.
   */
  @Prop() contactEditedAt?: Date;
  @Prop({ required: true }) createdAt!: Date;
  @Prop({ required: true }) updatedAt!: Date;
}

export const OrderSchema = SchemaFactory.createForClass(Order);
// GET /orders pages in (createdAt, orderId) order, unfiltered or filtered by status or user.
OrderSchema.index({ createdAt: 1, orderId: 1 });
OrderSchema.index({ orderStatus: 1, createdAt: 1, orderId: 1 });
OrderSchema.index({ userId: 1, createdAt: 1, orderId: 1 });
// A user event updates the user's orders whose version is older than the event's.
OrderSchema.index({ userId: 1, userVersion: 1 });
