import { RequestValidationException } from '@aware/common';
import { decodeCursor, encodeCursor } from './order-cursor';

describe('order cursor', () => {
  const position = {
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    orderId: '3b241101-e2bb-4255-8caf-4136c566a962',
  };

  it('round-trips a position as an opaque URL-safe token', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('round-trips the position of an order whose id came from imported data', () => {
    const imported = { ...position, orderId: 'o1' };
    expect(decodeCursor(encodeCursor(imported))).toEqual(imported);
  });

  it.each([
    ['not base64 JSON', 'bm90IGpzb24'],
    ['a JSON array', Buffer.from('[]').toString('base64url')],
    [
      'an orderId that no order can have',
      Buffer.from(JSON.stringify({ createdAt: position.createdAt, orderId: 'o 1' })).toString(
        'base64url',
      ),
    ],
    [
      'a date in another form',
      Buffer.from(JSON.stringify({ createdAt: '2026-01-02', orderId: position.orderId })).toString(
        'base64url',
      ),
    ],
  ])('rejects %s with a 400 on `after`', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(RequestValidationException);
  });
});
