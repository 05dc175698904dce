import type { UserEvent, UserSnapshot } from '@aware/contracts';

/**
 * What a consumer of user events does with each one; the order service provides it. It must be
 * idempotent and order-insensitive (version-guarded): delivery is at-least-once.
 */
export abstract class UserSnapshotHandler {
  /** Applies the snapshot; resolves with how many records (e.g. orders) it changed. */
  abstract applyUserSnapshot(snapshot: UserSnapshot, event: UserEvent): Promise<number>;
}
