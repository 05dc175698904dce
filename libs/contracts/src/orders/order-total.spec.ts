import { ORDER_ITEM_RULES, ORDER_RULES } from '../fields/field-rules';
import { totalPriceOf } from './order-total';

describe('totalPriceOf', () => {
  it('sums quantity × price exactly to the cent', () => {
    expect(
      totalPriceOf([
        { quantity: 3, price: 0.1 },
        { quantity: 1, price: 19.99 },
      ]),
    ).toBe(20.29);
  });

  it('is exact at the largest allowed order', () => {
    const MAX_ORDER_ITEMS = ORDER_RULES.items.maxItems;
    const MAX_QUANTITY = ORDER_ITEM_RULES.quantity.maximum;
    const MAX_PRICE = ORDER_ITEM_RULES.price.maximum;
    const items = Array.from({ length: MAX_ORDER_ITEMS }, (_, index) => ({
      itemId: String(index),
      quantity: MAX_QUANTITY,
      price: MAX_PRICE - 0.01,
    }));
    const cents = BigInt(MAX_ORDER_ITEMS) * BigInt(MAX_QUANTITY) * BigInt(MAX_PRICE * 100 - 1);
    expect(cents).toBeLessThanOrEqual(BigInt(Number.MAX_SAFE_INTEGER));
    expect(totalPriceOf(items)).toBe(Number(cents) / 100);
  });
});
