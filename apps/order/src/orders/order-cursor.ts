import { RequestValidationException } from '@aware/common';
import { isResourceId } from '@aware/contracts';
import type { OrderPosition } from '@aware/database';

/**
 * The `after` cursor of GET /orders: the position of the last order of a page, opaque to clients
 * (base64url JSON) so the listing order can change without breaking them.
 */
export function encodeCursor(position: OrderPosition): string {
  const payload = { createdAt: position.createdAt.toISOString(), orderId: position.orderId };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The position a cursor names; a cursor this service did not issue is a 400 on `after`. */
export function decodeCursor(cursor: string): OrderPosition {
  const position = parseCursor(cursor);
  if (!position) {
    throw new RequestValidationException(
      [{ field: 'after', message: 'after must be a cursor from a Link header' }],
      'The after cursor is malformed; use the one from the previous page’s Link header.',
    );
  }
  return position;
}

function parseCursor(cursor: string): OrderPosition | null {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const { createdAt, orderId } = payload as Record<string, unknown>;
  if (typeof createdAt !== 'string' || typeof orderId !== 'string' || !isResourceId(orderId)) {
    return null;
  }
  const date = new Date(createdAt);
  // Only the exact form encodeCursor writes: anything else was not issued by this service.
  if (Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) return null;
  return { createdAt: date, orderId };
}
