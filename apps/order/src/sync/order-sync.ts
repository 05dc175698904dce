import { Injectable } from '@nestjs/common';
import { AppConfig } from '@aware/common';
import { UserCreated, UserUpdated } from '@aware/contracts';
import { OrdersRepository, UserProjectionsRepository } from '@aware/database';
import { HandlesEvent, type EventChanges } from '@aware/events';
import { OrderLocks } from '../orders/order-locks';
import { WriterLease } from '../writer-lease/writer-lease';

/**
 * Applies a user event: the projection keeps the user's newest state, and the orders that follow
 * the user (ORDER_SYNC_STATUSES) take it unless they already reflect that version or a newer
 * one. Both writes are version-guarded, so duplicates and late events change nothing.
 */
@Injectable()
export class OrderSync {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly projections: UserProjectionsRepository,
    private readonly locks: OrderLocks,
    private readonly config: AppConfig,
    private readonly lease: WriterLease,
  ) {}

  @HandlesEvent(UserCreated, UserUpdated)
  applyUserSnapshot({ data: snapshot }: UserCreated | UserUpdated): Promise<EventChanges> {
    return this.locks.forUser(snapshot.userId, () =>
      // Only the lease holder applies (where the engine needs a single writer); an event that
      // waited for the user's lock while the lease was lost goes back to the queue unapplied.
      this.lease.fence(async () => {
        const now = new Date();
        // Independent writes, each version-guarded: side by side, an event waits for one round
        // trip instead of two. If either fails the event is redelivered and both run again.
        const [, changed] = await Promise.all([
          this.projections.applyIfNewer(snapshot, now),
          this.orders.applyUserState(snapshot, this.config.orderSyncStatuses, now),
        ]);
        return { orders: changed };
      }),
    );
  }
}
