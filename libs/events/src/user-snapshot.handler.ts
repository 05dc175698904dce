import type { UserEvent, UserSnapshot } from '@aware/contracts';

/**
 * What a consumer of user events does with each one; the order service provides it. It must be
 * idempotent and order-insensitive (version-guarded): delivery is at-least-once.
 */
export abstract class UserSnapshotHandler {
  abstract applyUserSnapshot(snapshot: UserSnapshot, event: UserEvent): Promise<void>;
}
