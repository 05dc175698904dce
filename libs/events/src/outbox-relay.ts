import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig, runInOperation } from '@aware/common';
import { OutboxLeasesRepository, UsersRepository } from '@aware/database';
import { toUserEvent } from './user-event-message';
import { UserEventsPublisher } from './user-events.publisher';

/** Users whose outbox one sweep pass looks at. */
const SWEEP_BATCH = 200;
/** Outboxes published in parallel during a sweep. */
const SWEEP_CONCURRENCY = 8;
/**
 * While another relay holds a user's lease (v1 and v2 writing the same user), retry this often
 * for a while: that relay may have read the outbox before our write landed.
 */
const LEASE_RETRY_MS = 20;
const LEASE_RETRIES = 25;

/** published: nothing left pending; elsewhere: another relay holds the lease; failed: retry. */
export type RelayOutcome = 'published' | 'elsewhere' | 'failed';

interface UserRun {
  done: Promise<RelayOutcome>;
  again: boolean;
}

/**
 * Publishes the events stored with user versions (the transactional outbox) and marks them
 * published only after the broker confirmed. It runs right after each write for that user and
 * sweeps periodically for whatever a failed or crashed run left behind. A lease per user keeps
 * the user-v1 and user-v2 relays from publishing the same outbox at once.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly runs = new Map<string, UserRun>();
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;
  private brokerDownLogged = false;

  constructor(
    private readonly users: UsersRepository,
    private readonly leases: OutboxLeasesRepository,
    private readonly publisher: UserEventsPublisher,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => this.sweep(), this.config.events.outboxSweepIntervalMs);
    this.sweepTimer.unref();
    // Events kept during a broker outage go out as soon as it is back.
    this.publisher.onConnect(() => this.sweep());
    this.sweep();
  }

  /** Lets in-flight publishes finish (each bounded by the publish timeout), then stops. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    await Promise.allSettled([this.sweeping, ...[...this.runs.values()].map((run) => run.done)]);
  }

  /**
   * Publishes a user's pending events now; coalesces with a run already in progress for the
   * same user. Never rejects: what is not published stays in the outbox for the sweep.
   */
  relay(userId: string): Promise<RelayOutcome> {
    const current = this.runs.get(userId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const run: UserRun = { done: Promise.resolve<RelayOutcome>('failed'), again: false };
    // Its own operation: kicked from a request, its commands are not on the request path.
    run.done = runInOperation('outbox relay', () => this.runUntilSettled(userId, run)).finally(() =>
      this.runs.delete(userId),
    );
    this.runs.set(userId, run);
    return run.done;
  }

  private async runUntilSettled(userId: string, run: UserRun): Promise<RelayOutcome> {
    let outcome: RelayOutcome;
    let leaseRetries = 0;
    do {
      run.again = false;
      outcome = await this.publishOutbox(userId);
      if (outcome === 'elsewhere' && leaseRetries < LEASE_RETRIES) {
        leaseRetries += 1;
        run.again = true;
        await sleep(LEASE_RETRY_MS);
      }
    } while (run.again && outcome !== 'failed' && !this.stopped);
    return outcome;
  }

  private async publishOutbox(userId: string): Promise<RelayOutcome> {
    if (this.stopped || !this.publisher.connected) return 'failed';
    try {
      const leased = await this.leases.acquire(
        userId,
        this.owner,
        new Date(),
        this.config.events.outboxLeaseMs,
      );
      // Another relay holds the lease and publishes; the sweep catches anything it misses.
      if (!leased) return 'elsewhere';
      try {
        for (const version of await this.users.findUnpublished(userId)) {
          await this.publisher.publish(toUserEvent(version), version.event.correlationId);
          await this.users.markPublished(userId, version.version);
        }
        this.brokerDownLogged = false;
        return 'published';
      } finally {
        await this.leases.release(userId, this.owner);
      }
    } catch (error) {
      this.logFailure(userId, error);
      return 'failed';
    }
  }

  private sweep(): void {
    if (this.sweeping || this.stopped) return;
    this.sweeping = runInOperation('outbox sweep', () => this.sweepPending()).finally(() => {
      this.sweeping = undefined;
    });
  }

  /** Publishes outboxes older than one sweep interval; fresh ones belong to their writer. */
  private async sweepPending(): Promise<void> {
    if (!this.publisher.connected) return;
    const cutoff = new Date(Date.now() - this.config.events.outboxSweepIntervalMs);
    let userIds: string[];
    try {
      userIds = await this.users.usersWithUnpublishedBefore(cutoff, SWEEP_BATCH);
    } catch (error) {
      this.logFailure('(sweep)', error);
      return;
    }
    let next = 0;
    let healthy = true;
    const worker = async (): Promise<void> => {
      while (healthy && next < userIds.length && !this.stopped) {
        healthy = (await this.relay(userIds[next++])) !== 'failed';
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  }

  private logFailure(userId: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!this.brokerDownLogged) {
      this.logger.warn(`outbox of ${userId} kept for retry: ${message}`);
      this.brokerDownLogged = true;
    }
  }
}
