import { toAddress, type OrderDto } from '@aware/contracts';
import type { OrderRecord } from '@aware/database';

/** The public shape of an order: no storage internals (`_id`, `userVersion`), ISO timestamps. */
export function toOrderDto(order: OrderRecord): OrderDto {
  return {
    orderId: order.orderId,
    ...(order.userId !== undefined && { userId: order.userId }),
    items: order.items.map(({ itemId, quantity, price }) => ({ itemId, quantity, price })),
    totalPrice: order.totalPrice,
    userEmails: [...order.userEmails],
    deliveryAddress: toAddress(order.deliveryAddress),
    orderStatus: order.orderStatus,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
