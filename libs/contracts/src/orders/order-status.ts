export const ORDER_STATUSES = ['under process', 'shipping', 'delivered'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses only move forward: under process → shipping → delivered (skipping allowed). */
export function isForwardTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_STATUSES.indexOf(to) > ORDER_STATUSES.indexOf(from);
}
