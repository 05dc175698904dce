/**
 * Watching the orders database for the effect of user changes: sync lag (PUT answered → its
 * order reflects that user version), nothing-lost checks, and fan-out to many orders.
 * Orders record the user version they reflect in `userVersion`.
 */
import { randomUUID } from 'node:crypto';
import { MongoBulkWriteError, type Collection, type Document, type WriteError } from 'mongodb';
import { log } from '@aware/harness';
import { scrape, type CounterSnapshot } from './db-commands';
import type { SentPut } from './load';

/** How often the watcher looks; lags are measured to about this resolution. */
const POLL_INTERVAL_MS = 10;
const SEED_ATTEMPTS = 5;
/** Lags above this are logged with what a person needs to find them in the services' logs. */
const SLOW_LAG_MS = 1_000;

export interface LagSummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

export function summarise(lags: readonly number[]): LagSummary {
  const sorted = [...lags].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * Polls the orders of users with unconfirmed PUTs (one order per user, in a collection kept
 * small while it runs) and records, per PUT, when its version showed up.
 */
export class OrderVersionWatcher {
  private readonly pending = new Map<string, SentPut[]>();
  private lags: number[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly orders: Collection) {}

  expect(put: SentPut): void {
    const puts = this.pending.get(put.userId) ?? [];
    puts.push(put);
    this.pending.set(put.userId, puts);
  }

  start(): void {
    this.running = true;
    this.loop = this.poll();
  }

  /** The lags recorded since the last call, and forgets them. */
  takeLags(): number[] {
    const lags = this.lags;
    this.lags = [];
    return lags;
  }

  /**
   * Waits until every expected version arrived or `timeoutMs` passed; returns those missing, and
   * forgets them, so a late arrival does not count as a lag of the next phase.
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.pendingCount() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const missing = this.pendingCount();
    for (const [userId, puts] of this.pending) {
      for (const put of puts) {
        log(
          `missing: user ${userId} v${put.version}, answered ${new Date(put.answeredAt).toISOString()}`,
        );
      }
    }
    this.pending.clear();
    return missing;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private pendingCount(): number {
    let count = 0;
    for (const puts of this.pending.values()) count += puts.length;
    return count;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      if (this.pending.size > 0) {
        const found = await this.orders
          .find(
            { userId: { $in: [...this.pending.keys()] } },
            // One reply (one order per pool user), no server cursor: FerretDB 2 answers a
            // cursor's first batch far later.
            {
              projection: { _id: 0, userId: 1, userVersion: 1 },
              singleBatch: true,
              batchSize: this.pending.size,
            },
          )
          .toArray();
        const seenAt = Date.now();
        for (const order of found) this.settle(order, seenAt);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  private settle(order: Document, seenAt: number): void {
    const userId = String(order.userId);
    const puts = this.pending.get(userId);
    if (!puts) return;
    const reached = Number(order.userVersion);
    const waiting = puts.filter((put) => {
      if (put.version > reached) return true;
      // The order can change before the client has read the answer: that is a lag of zero.
      const lag = Math.max(0, seenAt - put.answeredAt);
      this.lags.push(lag);
      if (lag > SLOW_LAG_MS) {
        const answered = new Date(put.answeredAt).toISOString();
        log(
          `slow: user ${userId} v${put.version}, answered ${answered}, on its order ${lag} ms later`,
        );
      }
      return false;
    });
    if (waiting.length > 0) this.pending.set(userId, waiting);
    else this.pending.delete(userId);
  }
}

export const BENCH_ADDRESS = {
  street: '1 Bench Street',
  city: 'Loadville',
  state: 'LS',
  postalCode: '10000',
  country: 'Benchland',
};

/** An order document as the order service stores it. */
function orderDocument(userId: string | undefined, userVersion: number, createdAt: Date): Document {
  const orderId = randomUUID();
  return {
    _id: orderId,
    orderId,
    ...(userId !== undefined && { userId }),
    items: [{ itemId: 'sku-1', quantity: 2, price: 9.99 }],
    totalPrice: 19.98,
    userEmails: ['bench@example.com'],
    deliveryAddress: BENCH_ADDRESS,
    orderStatus: 'under process',
    userVersion,
    createdAt,
    updatedAt: createdAt,
  };
}

/** Inserts `count` orders in batches (fast seeding, bypassing the API). */
/** Inserts `count` orders in batches; false when `deadline` passed before all were in. */
export async function seedOrders(
  orders: Collection,
  count: number,
  userId: (index: number) => string | undefined,
  userVersion: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  const start = Date.now();
  const BATCH = 1_000;
  for (let offset = 0; offset < count; offset += BATCH) {
    if (Date.now() > deadline) return false;
    const batch = Array.from({ length: Math.min(BATCH, count - offset) }, (_, index) =>
      orderDocument(userId(offset + index), userVersion, new Date(start + offset + index)),
    );
    await insertRetrying(orders, batch);
  }
  return true;
}

/**
 * A single-writer engine (FerretDB on SQLite) may answer "database is locked" while the services
 * write; the batch is sent again, and copies a failed attempt did store are not an error.
 */
async function insertRetrying(orders: Collection, batch: Document[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await orders.insertMany(batch, { ordered: false });
      return;
    } catch (error) {
      const writeErrors: WriteError[] =
        error instanceof MongoBulkWriteError ? ([] as WriteError[]).concat(error.writeErrors) : [];
      const onlyDuplicates =
        writeErrors.length > 0 && writeErrors.every((each) => each.code === 11000);
      if (onlyDuplicates) return;
      if (attempt === SEED_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

export interface FanOutResult {
  orders: number;
  /** PUT answered → every order at the new version; when not completed, the time waited. */
  seconds: number;
  completed: boolean;
  updated: number;
  /** Completed: `seconds`; otherwise extrapolated from the rate so far. */
  estimatedSeconds: number;
}

/** Events the user services published and the order service finished with, from /metrics. */
export interface EventTotals {
  published: number;
  /** Applied or dead-lettered: acked after the consumer's database work. */
  finished: number;
}

/** Outcomes the consumer acks after its database work (a requeue comes back). */
const FINISHED_OUTCOMES = new Set(['applied', 'dead_lettered']);

export async function eventTotals(urls: { users: string[]; order: string }): Promise<EventTotals> {
  const sum = (samples: CounterSnapshot, keep: (labels: Record<string, string>) => boolean) =>
    [...samples.values()]
      .filter((sample) => keep(sample.labels))
      .reduce((total, sample) => total + sample.value, 0);
  const [published, consumed] = await Promise.all([
    scrape(urls.users, ['aware_events_published_total']),
    scrape([urls.order], ['aware_events_consumed_total']),
  ]);
  return {
    published: sum(published, () => true),
    finished: sum(consumed, (labels) => FINISHED_OUTCOMES.has(labels.outcome)),
  };
}

/** Polls until every published event has been finished by the consumer, or the deadline. */
export async function eventsSettled(
  totals: () => Promise<EventTotals>,
  deadline: number,
  publishedAtLeast = 0,
): Promise<boolean> {
  for (;;) {
    const { published, finished } = await totals();
    if (published >= publishedAtLeast && finished >= published) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Polls until no event has been published for `quietMs` and the consumer has finished all of
 * them, or the deadline: what a phase left to the relay (its pending versions) and the consumer
 * is then done, and cannot compete with what is measured next.
 */
export async function backgroundQuiet(
  totals: () => Promise<EventTotals>,
  deadline: number,
  quietMs = 500,
): Promise<boolean> {
  let last = await totals();
  let since = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await totals();
    if (now.published !== last.published) since = Date.now();
    last = now;
    if (now.finished >= now.published && Date.now() - since >= quietMs) return true;
    if (Date.now() >= deadline) return false;
  }
}

/**
 * Waits for the PUT's event to be finished by the consumer (it acks after its one updateMany),
 * watching the services' counters rather than the orders: a poll that counts the orders scans
 * them on FerretDB and would slow the very update it times. One count at the end checks that no
 * order was left behind.
 */
export async function waitForFanOut(
  orders: Collection,
  watch: { userId: string; version: number; total: number; answeredAt: number },
  totals: () => Promise<EventTotals>,
  publishedBefore: number,
  timeoutMs: number,
): Promise<FanOutResult> {
  const { userId, version, total, answeredAt } = watch;
  const settled = await eventsSettled(totals, answeredAt + timeoutMs, publishedBefore + 1);
  const elapsed = (Date.now() - answeredAt) / 1000;
  const behind = await orders.countDocuments({ userId, userVersion: { $lt: version } });
  const updated = total - behind;
  if (settled && behind === 0) {
    return { orders: total, seconds: elapsed, completed: true, updated, estimatedSeconds: elapsed };
  }
  const estimatedSeconds = updated > 0 ? (elapsed * total) / updated : Number.POSITIVE_INFINITY;
  return { orders: total, seconds: elapsed, completed: false, updated, estimatedSeconds };
}
