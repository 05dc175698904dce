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

const LEASE_NAME = 'order';
/** How long a term lasts without renewal: a crashed writer's successor waits at most this. */
export const WRITER_LEASE_TTL_MS = 10_000;
const RENEW_EVERY_MS = 3_000;
const WAITING_LOG_EVERY_MS = 10_000;

/**
 * Makes this process the only order-service writer of its database when the engine applies
 * conditional updates non-atomically (FerretDB): there, two instances lose each other's order
 * changes. Start-up waits for the lease, so a second instance never becomes ready (nor consumes)
 * while the first holds it, and takes over when the first stops or its lease runs out. On
 * MongoDB, whose conditional updates are atomic, any number of instances run side by side.
 */
@Injectable()
export class WriterLease implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WriterLease.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private term?: number;
  private renewTimer?: NodeJS.Timeout;

  constructor(
    private readonly leases: WriterLeasesRepository,
    private readonly policy: WriterLeasePolicy,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!(await this.policy.leaseNeeded())) return;
    let lastLog = 0;
    for (;;) {
      const holder = await this.tryAcquire();
      if (!holder) break;
      if (Date.now() - lastLog >= WAITING_LOG_EVERY_MS) {
        lastLog = Date.now();
        this.logger.warn(
          `waiting: order instance ${holder.owner} is the writer of this database (lease until ` +
            `${holder.expiresAt.toISOString()}). This engine applies conditional updates ` +
            `non-atomically, so a second writer would lose order changes; this instance stays ` +
            `unready until the lease is free.`,
        );
      }
      await sleep(Math.min(1_000, Math.max(holder.expiresAt.getTime() - Date.now(), 100)));
    }
    this.logger.log(`writer lease taken (term ${String(this.term)})`);
    this.renewTimer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewTimer.unref();
  }

  /** After the consumer stopped and requests drained: the next instance may take over at once. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.renewTimer);
    if (this.term === undefined) return;
    await this.leases.setExpiry(LEASE_NAME, this.term, new Date()).catch(() => undefined);
  }

  /** Takes the next term when the current one is free; returns the holder otherwise. */
  private async tryAcquire(): Promise<WriterLeaseRecord | undefined> {
    const current = await this.leases.current(LEASE_NAME);
    const now = new Date();
    if (current && current.owner !== this.owner && current.expiresAt > now) return current;
    const term = (current?.term ?? 0) + 1;
    const expiresAt = new Date(now.getTime() + WRITER_LEASE_TTL_MS);
    if (!(await this.leases.insertTerm(LEASE_NAME, term, this.owner, expiresAt))) {
      return (await this.leases.current(LEASE_NAME)) ?? undefined;
    }
    this.term = term;
    await this.leases.pruneBefore(LEASE_NAME, term).catch(() => undefined);
    return undefined;
  }

  private async renew(): Promise<void> {
    if (this.term === undefined) return;
    try {
      const current = await this.leases.current(LEASE_NAME);
      if (current && current.term !== this.term) {
        // This process stalled past its lease and another instance took over: stop writing.
        this.logger.error(
          `writer lease lost to ${current.owner} (term ${current.term}); shutting down`,
        );
        clearInterval(this.renewTimer);
        process.kill(process.pid, 'SIGTERM');
        return;
      }
      await this.leases.setExpiry(
        LEASE_NAME,
        this.term,
        new Date(Date.now() + WRITER_LEASE_TTL_MS),
      );
    } catch (error) {
      this.logger.warn(`writer lease not renewed (retrying): ${String(error)}`);
    }
  }
}
