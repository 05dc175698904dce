import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriterLeasesRepository, type WriterLeaseRecord } from '@aware/database';
import { WriterLeasePolicy } from './writer-lease-policy';
import { EventDeclined } from '@aware/events';

const LEASE_NAME = 'order';
/** How long a term lasts without renewal: a crashed writer's successor waits at most this. */
const WRITER_LEASE_TTL_MS = 10_000;
const RENEW_EVERY_MS = 3_000;
/**
 * The holder stops writing this long before its term's stored expiry, so that it has stopped
 * before a successor can start even if its own renewal is late by a slow database or machine.
 */
const EXPIRY_MARGIN_MS = 2_000;
const WAITING_LOG_EVERY_MS = 10_000;
const WAIT_POLL_MS = 1_000;

/** What /health/ready says about the lease. */
type WriterLeaseState =
  | { kind: 'not-needed' }
  | { kind: 'held'; term: number }
  | { kind: 'waiting'; holder?: WriterLeaseRecord }
  /** Its term ran out unrenewed (the database unreachable): it takes a new one when it can. */
  | { kind: 'lapsed'; term: number }
  | { kind: 'lost'; reason: string };

/**
 * Makes this process the only order-service writer of its database when the engine applies
 * [engine-note: writer-lease]
 * conditional updates non-atomically (FerretDB): there, two instances lose each other's order
 * changes. On MongoDB, whose conditional updates are atomic, any number of instances run side by
 * side and the lease is not used.
 *
 * - acquire: a free lease is taken at start; otherwise the instance starts anyway as a standby
 *   (alive, not ready, consuming nothing) and takes the lease when the holder releases it or lets
 *   it run out.
 * - held: true only while this process holds its term and its local deadline (the stored expiry
 *   less a margin) has not passed; every event is applied only if it is held just before and
 *   just after the writes (otherwise it goes back to the queue unapplied).
 * - lost: another instance took a later term (e.g. after this one was paused past its term's
 *   expiry by SIGSTOP): it stops applying at once and the process shuts down. A holder whose
 *   term ran out while nobody else took it (a database outage) takes a new term instead.
 */
@Injectable()
export class WriterLease implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WriterLease.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private needed = false;
  private term?: number;
  /** The stored expiry of this process's term, as last written (this process's clock). */
  private expiresAt = 0;
  private holder?: WriterLeaseRecord;
  private lostReason?: string;
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;
  private stopping = false;
  private readonly acquiredListeners: (() => void)[] = [];
  private readonly lostListeners: (() => void)[] = [];

  constructor(
    private readonly leases: WriterLeasesRepository,
    private readonly policy: WriterLeasePolicy,
  ) {}

  async onModuleInit(): Promise<void> {
    this.needed = await this.policy.leaseNeeded();
    if (!this.needed) return;
    const holder = await this.tryAcquire();
    if (holder === undefined) return;
    this.holder = holder;
    this.logWaiting(holder);
    void this.waitForLease();
  }

  /** Whether this process may write now. */
  get held(): boolean {
    if (!this.needed) return true;
    return (
      this.term !== undefined &&
      this.lostReason === undefined &&
      Date.now() < this.expiresAt - EXPIRY_MARGIN_MS
    );
  }

  get state(): WriterLeaseState {
    if (!this.needed) return { kind: 'not-needed' };
    if (this.lostReason !== undefined) return { kind: 'lost', reason: this.lostReason };
    if (this.term === undefined) return { kind: 'waiting', holder: this.holder };
    if (this.held) return { kind: 'held', term: this.term };
    return { kind: 'lapsed', term: this.term };
  }

  onAcquired(listener: () => void): void {
    this.acquiredListeners.push(listener);
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  /**
   * Runs `apply` only while the lease is held, checking just before and just after: an event
   * applied by a process that lost the lease meanwhile is returned to the queue rather than acked,
   * so the writer that holds it applies it again (applying is idempotent and version-guarded).
   */
  async fence<T>(apply: () => Promise<T>): Promise<T> {
    this.assertHeld();
    const result = await apply();
    this.assertHeld();
    return result;
  }

  /** After the consumer stopped and requests drained: the next instance may take over at once. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.renewTimer);
    if (this.term === undefined || this.lostReason !== undefined) return;
    await this.leases.setExpiry(LEASE_NAME, this.term, new Date()).catch(() => undefined);
  }

  private assertHeld(): void {
    if (this.held) return;
    const state = this.state;
    if (state.kind === 'lost') {
      // Another writer holds the lease: hand the event back at once, no backoff.
      throw new EventDeclined(`writer lease lost: ${state.reason}`);
    }
    // Not held for now (a lapsed term during a database outage; a standby's stray delivery):
    // a transient failure like the database being down, requeued with the usual backoff.
    throw new Error(
      state.kind === 'lapsed'
        ? `writer lease term ${state.term} not renewed in time`
        : 'waiting for the writer lease',
    );
  }

  private async waitForLease(): Promise<void> {
    let lastLog = Date.now();
    while (!this.stopping) {
      await sleep(
        Math.min(WAIT_POLL_MS, Math.max((this.holder?.expiresAt.getTime() ?? 0) - Date.now(), 100)),
      );
      if (this.stopping) return;
      try {
        const holder = await this.tryAcquire();
        if (holder === undefined) return;
        this.holder = holder;
      } catch (error) {
        this.logger.warn(`writer lease not checked (retrying): ${String(error)}`);
        continue;
      }
      if (Date.now() - lastLog >= WAITING_LOG_EVERY_MS) {
        lastLog = Date.now();
        this.logWaiting(this.holder);
      }
    }
  }

  private logWaiting(holder: WriterLeaseRecord | undefined): void {
    this.logger.warn(
      `waiting: order instance ${holder?.owner ?? '(unknown)'} is the writer of this database ` +
        `(lease until ${holder?.expiresAt.toISOString() ?? '?'}); only the lease holder writes ` +
        `here (${this.policy.reason}); this instance is alive but not ready, and consumes ` +
        'nothing, until the lease is free.',
    );
  }

  /** Takes the next term when the current one is free; returns the holder otherwise. */
  private async tryAcquire(): Promise<WriterLeaseRecord | undefined> {
    const current = await this.leases.current(LEASE_NAME);
    if (current && current.owner !== this.owner && current.expiresAt.getTime() > Date.now()) {
      return current;
    }
    if (!(await this.takeTerm((current?.term ?? 0) + 1))) {
      return (await this.leases.current(LEASE_NAME)) ?? undefined;
    }
    this.holder = undefined;
    this.logger.log(`writer lease taken (term ${String(this.term)})`);
    this.renewTimer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewTimer.unref();
    for (const listener of this.acquiredListeners) listener();
    return undefined;
  }

  /** Inserts `term` for this process; the unique key lets exactly one process win it. */
  private async takeTerm(term: number): Promise<boolean> {
    const expiresAt = Date.now() + WRITER_LEASE_TTL_MS;
    if (!(await this.leases.insertTerm(LEASE_NAME, term, this.owner, new Date(expiresAt)))) {
      return false;
    }
    this.term = term;
    this.expiresAt = expiresAt;
    await this.leases.pruneBefore(LEASE_NAME, term).catch(() => undefined);
    return true;
  }

  private async renew(): Promise<void> {
    const term = this.term;
    // One renewal at a time: during an outage one can take longer than the interval.
    if (term === undefined || this.lostReason !== undefined || this.stopping || this.renewing) {
      return;
    }
    this.renewing = true;
    try {
      const started = Date.now();
      const current = await this.leases.current(LEASE_NAME);
      if (current && current.owner !== this.owner) {
        this.lose(`taken by ${current.owner} (term ${current.term})`);
        return;
      }
      if (started >= this.expiresAt) {
        // Its term ran out (a long outage, a paused process): a successor may be taking over
        // right now, so extending the old term could leave two writers. It takes a new term like
        // any other instance instead, and the unique key decides who writes.
        if (await this.takeTerm(term + 1)) {
          this.logger.warn(
            `writer lease taken again (term ${term + 1}) after term ${term} ran out`,
          );
          return;
        }
        const winner = await this.leases.current(LEASE_NAME);
        this.lose(`taken by ${winner?.owner ?? 'another instance'} (term ${term + 1})`);
        return;
      }
      const expiresAt = started + WRITER_LEASE_TTL_MS;
      await this.leases.setExpiry(LEASE_NAME, term, new Date(expiresAt));
      if (this.lostReason === undefined && this.term === term) this.expiresAt = expiresAt;
    } catch (error) {
      this.logger.warn(`writer lease not renewed (retrying): ${String(error)}`);
    } finally {
      this.renewing = false;
    }
  }

  /** Stops applying at once (listeners cancel the consumer), then shuts the process down. */
  private lose(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    clearInterval(this.renewTimer);
    this.logger.error(`writer lease lost: ${reason}; no more events are applied; shutting down`);
    for (const listener of this.lostListeners) listener();
    process.kill(process.pid, 'SIGTERM');
  }
}
