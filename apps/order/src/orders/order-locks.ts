import { Injectable } from '@nestjs/common';
import AsyncLock from 'async-lock';

/**
 * Serialises this process's writes to the orders of one user (or to one user-less order): HTTP
 * changes, new orders filled from the projection, and user events. Across processes the
 * version-guarded writes decide; this also keeps engines without atomic conditional updates
 * [engine-note: process-locks]
 * (FerretDB) from losing one of two concurrent writes to the same order.
 */
@Injectable()
export class OrderLocks {
  private readonly locks = new AsyncLock({ maxPending: 100_000 });

  forOwner<T>(order: { userId?: string; orderId: string }, work: () => Promise<T>): Promise<T> {
    return this.locks.acquire(
      order.userId ? `user:${order.userId}` : `order:${order.orderId}`,
      work,
    );
  }

  forUser<T>(userId: string, work: () => Promise<T>): Promise<T> {
    return this.locks.acquire(`user:${userId}`, work);
  }
}
