import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';

/** How often each instance removes expired Idempotency-Keys. */
const IDEMPOTENCY_PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * [engine-note: no-ttl-index]
 * Removes expired keys every few minutes, on every engine: FerretDB 1.24 has no TTL indexes.
 * A key is honoured until it is removed, so keys live at least their TTL and at most one interval
 * more. Every instance prunes; a delete of what another instance just deleted is a no-op.
 */
@Injectable()
export class IdempotencyKeyPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeyPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly keys: IdempotencyKeysRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), IDEMPOTENCY_PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async prune(now = new Date()): Promise<number> {
    try {
      return await this.keys.removeExpired(now);
    } catch (error) {
      this.logger.warn(`pruning expired idempotency keys failed, retried later: ${String(error)}`);
      return 0;
    }
  }
}
