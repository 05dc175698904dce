import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ORDER_ITEM_RULES, ORDER_RULES, type OrderStatus } from '@aware/contracts';
import { AddressDocument, AddressSchema } from '../address.schema';
import { propOf } from '../field-rules';

export const ORDERS_COLLECTION = 'orders';

@Schema({ _id: false, versionKey: false })
export class OrderItemDocument {
  @Prop({ required: true }) itemId!: string;
  @Prop({ required: true, ...propOf(ORDER_ITEM_RULES.quantity) }) quantity!: number;
  @Prop({ required: true, ...propOf(ORDER_ITEM_RULES.price) }) price!: number;
}

export const OrderItemSchema = SchemaFactory.createForClass(OrderItemDocument);

/**
 * One document per order, keyed by its orderId: `_id` is the orderId, so the `_id` index alone
 * decides that an order is stored once (a second insert of an orderId is a duplicate key), as for
 * user versions, email claims and idempotency keys. No secondary unique index: on DocumentDB
 * [engine-note: no-secondary-unique-index]
 * every row an updateMany touches re-checks one, and its ordered indexes cannot hold one.
 * Orders stored before keep an ObjectId `_id`; they are found by `orderId`, like every order.
 */
@Schema({ collection: ORDERS_COLLECTION, versionKey: false, timestamps: false })
export class Order {
  /** The orderId (an ObjectId in orders stored before orders were keyed by it). */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) orderId!: string;
  @Prop() userId?: string;
  @Prop({ type: [OrderItemSchema], required: true }) items!: OrderItemDocument[];
  @Prop({ required: true, ...propOf(ORDER_RULES.totalPrice) }) totalPrice!: number;
  @Prop({ type: [String], required: true }) userEmails!: string[];
  @Prop({ type: AddressSchema, required: true }) deliveryAddress!: AddressDocument;
  @Prop({ required: true, ...propOf(ORDER_RULES.orderStatus) }) orderStatus!: OrderStatus;
  /**
   * The user version that userEmails/deliveryAddress reflect; 0 when they came from the request.
   * User events only overwrite orders holding an older version (docs/events.md). Never returned.
   */
  @Prop({ required: true, ...propOf(ORDER_RULES.userVersion) }) userVersion!: number;
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
// Lookups by orderId, which the repository filters by: the key of orders stored before orders
// were keyed by their orderId. Not unique: `_id` decides (db:setup rebuilds an older unique one).
OrderSchema.index({ orderId: 1 });
// GET /orders pages in (createdAt, orderId) order, unfiltered or filtered by status or user.
OrderSchema.index({ createdAt: 1, orderId: 1 });
OrderSchema.index({ orderStatus: 1, createdAt: 1, orderId: 1 });
OrderSchema.index({ userId: 1, createdAt: 1, orderId: 1 });
// A user event updates the user's orders whose version is older than the event's.
OrderSchema.index({ userId: 1, userVersion: 1 });
