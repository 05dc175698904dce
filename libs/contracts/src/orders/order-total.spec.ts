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
    const items = Array.from({ length: 100 }, (_, index) => ({
      itemId: String(index),
      quantity: 10_000,
      price: 999_999.99,
    }));
    expect(totalPriceOf(items)).toBe(999_999_990_000);
  });
});
