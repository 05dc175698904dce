/** What a line of an order contributes to its total. */
interface PricedItem {
  quantity: number;
  price: number;
}

/**
 * Σ quantity × price, summed in integer cents so 3 × 0.10 is 0.30, not 0.30000000000000004
 * (docs/api.md). Item limits keep the sum below 2^53 cents, so it is exact.
 */
export function totalPriceOf(items: readonly PricedItem[]): number {
  const cents = items.reduce((sum, item) => sum + Math.round(item.price * 100) * item.quantity, 0);
  return cents / 100;
}
