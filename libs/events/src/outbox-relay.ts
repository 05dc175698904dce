import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AppConfig, runInOperation } from '@aware/common';
import { OutboxStore, type EntryVersion, type OutboxEntry } from './outbox-store';
import { PublishedMarks } from './published-marks';
import { UserEventsPublisher } from './user-events.publisher';

/** Outbox entries one sweep pass looks at. */
const SWEEP_BATCH = 200;
/** Outboxes published in parallel during a sweep; their confirms arrive together. */
const SWEEP_CONCURRENCY = 8;
/**
 * While this process has left nothing behind, the sweep only needs to catch what another
 * process left (it crashed mid-publish): it runs this many sweep intervals apart.
 */
const IDLE_SWEEP_EVERY = 10;

/** published: nothing left pending; failed: kept in the outbox for a later run. */
type RelayOutcome = 'published' | 'failed';

interface KeyRun {
  done: Promise<RelayOutcome>;
  /** The newest version this process asked to publish; a run always publishes the newest. */
  version: number;
  /** That version's entry as its writer stored it, which spares reading it back. */
  stored?: OutboxEntry;
  again: boolean;
}

/**
 * Publishes the events of the transactional outbox (OutboxStore) and marks them published only
 * after the broker confirmed. It runs right after each write for that key (a user) and sweeps
 * periodically for whatever a failed or crashed run left behind.
 *
 * Only a key's newest unpublished entry is published: each event carries the key's whole state,
 * and the consumer applies an event only where it is newer, so older pending ones add nothing.
 * There is no lock between relays: when user-v1 and user-v2 publish the same version, the second
 * copy is a no-op for the consumer.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly runs = new Map<string, KeyRun>();
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;
  private brokerDownLogged = false;
  /** Set when a run failed here: sweep every interval until a sweep finds nothing left. */
  private leftBehind = true;
  private ticksSinceSweep = 0;
  private readonly marks: PublishedMarks;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly publisher: UserEventsPublisher,
    private readonly config: AppConfig,
  ) {
    this.marks = new PublishedMarks((entries) => this.outbox.markPublished(entries));
  }

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => this.tick(), this.config.events.outboxSweepIntervalMs);
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
   * Publishes `version` of the key (its newest, as its writer knows) now; coalesces with a run
   * already in progress for the same key. The writer passes the entry it just stored, so the run
   * need not read it back; the sweep passes none. Never rejects: what is not published stays in
   * the outbox for the sweep.
   */
  publishNow(key: string, version: number, stored?: OutboxEntry): Promise<RelayOutcome> {
    const current = this.runs.get(key);
    if (current) {
      if (version > current.version) {
        current.version = version;
        current.stored = stored;
      }
      current.again = true;
      return current.done;
    }
    const run: KeyRun = {
      done: Promise.resolve<RelayOutcome>('failed'),
      version,
      stored,
      again: false,
    };
    // Its own operation: kicked from a request, its commands are not on the request path.
    run.done = runInOperation('outbox relay', () => this.runUntilSettled(key, run));
    this.runs.set(key, run);
    return run.done;
  }

  private async runUntilSettled(key: string, run: KeyRun): Promise<RelayOutcome> {
    let outcome: RelayOutcome;
    do {
      run.again = false;
      // Used once: a repeat for the same version reads what the store holds now.
      const stored = run.stored?.version === run.version ? run.stored : undefined;
      run.stored = undefined;
      outcome = await this.publishVersion(key, run.version, stored);
    } while (run.again && outcome !== 'failed' && !this.stopped);
    // In the same synchronous step as the last look at `again`: a publishNow() call from now on
    // starts a new run instead of flagging this finished one (its version would wait for the sweep).
    if (this.runs.get(key) === run) this.runs.delete(key);
    if (outcome === 'failed') this.leftBehind = true;
    return outcome;
  }

  /**
   * Otherwise looked up by key and version, which the store answers from its primary key. Gone
   * means a newer version was published and pruned it: nothing is left to do here.
   */
  private async publishVersion(
    key: string,
    version: number,
    stored: OutboxEntry | undefined,
  ): Promise<RelayOutcome> {
    if (this.stopped || !this.publisher.connected) return 'failed';
    try {
      const pending = stored ?? (await this.outbox.find(key, version));
      if (!pending || pending.published) return 'published';
      await this.publisher.publish(pending.event, pending.correlationId, pending.traceparent);
      await this.marks.mark({ key, version });
      this.brokerDownLogged = false;
      return 'published';
    } catch (error) {
      this.logFailure(key, error);
      return 'failed';
    }
  }

  private tick(): void {
    this.ticksSinceSweep += 1;
    if (this.leftBehind || this.ticksSinceSweep >= IDLE_SWEEP_EVERY) this.sweep();
  }

  private sweep(): void {
    if (this.sweeping || this.stopped) return;
    this.ticksSinceSweep = 0;
    this.sweeping = runInOperation('outbox sweep', () => this.sweepPending()).finally(() => {
      this.sweeping = undefined;
    });
  }

  /** Publishes outboxes older than one sweep interval; fresh ones belong to their writer. */
  private async sweepPending(): Promise<void> {
    if (!this.publisher.connected) return;
    const cutoff = new Date(Date.now() - this.config.events.outboxSweepIntervalMs);
    let pending: EntryVersion[];
    try {
      pending = await this.outbox.pendingBefore(cutoff, SWEEP_BATCH);
    } catch (error) {
      this.logFailure('(sweep)', error);
      return;
    }
    // Cleared before publishing: a run failing from here on sets it again.
    if (pending.length < SWEEP_BATCH) this.leftBehind = false;
    let next = 0;
    let healthy = true;
    const worker = async (): Promise<void> => {
      while (healthy && next < pending.length && !this.stopped) {
        const { key, version } = pending[next++];
        healthy = (await this.publishNow(key, version)) !== 'failed';
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  }

  private logFailure(key: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!this.brokerDownLogged) {
      this.logger.warn(`outbox of ${key} kept for retry: ${message}`);
      this.brokerDownLogged = true;
    }
  }
}
