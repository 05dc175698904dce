import { setTimeout as sleep } from 'node:timers/promises';
import { getUser, ordersOf, sameContact, type UserBody } from './aware-client';
import { anAddress, uniqueEmail } from './fixtures';
import { http } from './http';

export interface StreamStats {
  attempted: number;
  ok: number;
  failed: number;
  /** The first few failures, for the report. */
  failures: string[];
  /** Versions the successful PUTs answered, per user (the last one is the user's final). */
  lastVersion: Map<string, number>;
}

interface StreamOptions {
  /** Base URLs the PUTs alternate between (user-v1, user-v2). */
  targets: string[];
  users: UserBody[];
  /** Total PUTs, spread evenly across the users; one sequential worker per user. */
  total: number;
  label: string;
}

/**
 * A stream of PUT /users: one sequential worker per user (so no PUT races another on the same
 * user), alternating the target service from one PUT to the next. Every PUT changes the address,
 * every fifth also the emails. `progress.done` counts answered PUTs so a fault can be timed.
 */
export class UpdateStream {
  readonly progress = { done: 0 };
  readonly stats: StreamStats = {
    attempted: 0,
    ok: 0,
    failed: 0,
    failures: [],
    lastVersion: new Map(),
  };
  readonly finished: Promise<StreamStats>;

  constructor(private readonly options: StreamOptions) {
    const perUser = Math.ceil(options.total / options.users.length);
    this.finished = Promise.all(
      options.users.map((user, index) =>
        this.worker(user, index, Math.min(perUser, options.total - perUser * index)),
      ),
    ).then(() => this.stats);
  }

  /** Resolves once `count` PUTs were answered (or the stream ended). */
  async reached(count: number): Promise<void> {
    let ended = false;
    void this.finished.finally(() => {
      ended = true;
    });
    while (this.progress.done < count && !ended) await sleep(10);
  }

  private async worker(user: UserBody, index: number, count: number): Promise<void> {
    const { targets, label } = this.options;
    for (let step = 0; step < count; step += 1) {
      const target = targets[(step + index) % targets.length];
      const body = {
        deliveryAddress: anAddress({
          street: `${step} ${label} St`,
          postalCode: `${10000 + step}`,
        }),
        ...(step % 5 === 0 && { emails: [uniqueEmail(`${label}${step}`)] }),
      };
      this.stats.attempted += 1;
      try {
        const result = await http<UserBody>(target, 'PUT', `/users/${user.userId}`, { body });
        if (result.status === 200) {
          this.stats.ok += 1;
          this.stats.lastVersion.set(user.userId, result.body.version);
        } else {
          this.fail(`${target} ${result.status} ${result.text.slice(0, 200)}`);
        }
      } catch (error) {
        this.fail(`${target} ${String(error)}`);
      }
      this.progress.done += 1;
    }
  }

  private fail(reason: string): void {
    this.stats.failed += 1;
    if (this.stats.failures.length < 5) this.stats.failures.push(reason);
  }
}

export interface Convergence {
  converged: number;
  total: number;
  ms: number;
  /** Following orders still differing from their user at the end, for the report. */
  stale: string[];
}

const FOLLOWING = ['under process', 'shipping'];

/**
 * Polls until every following order (under process, shipping) of each user carries that user's
 * current state (GET /users/{id}), or the timeout passes; connection errors (a restarting
 * service) count as not converged yet.
 */
export async function waitForConvergence(
  userUrl: string,
  orderUrl: string,
  userIds: string[],
  timeoutMs: number,
): Promise<Convergence> {
  const started = Date.now();
  let last: Convergence = { converged: 0, total: 0, ms: 0, stale: ['never checked'] };
  for (;;) {
    try {
      let converged = 0;
      let total = 0;
      const stale: string[] = [];
      for (const userId of userIds) {
        const user = await getUser(userUrl, userId);
        for (const order of await ordersOf(orderUrl, userId)) {
          if (!FOLLOWING.includes(order.orderStatus)) continue;
          total += 1;
          if (sameContact(order, user)) converged += 1;
          else stale.push(`${order.orderId} (user ${userId} v${user.version})`);
        }
      }
      last = { converged, total, ms: Date.now() - started, stale };
      if (total > 0 && converged === total) return last;
    } catch (error) {
      last = { ...last, ms: Date.now() - started, stale: [String(error)] };
    }
    if (Date.now() - started > timeoutMs) return last;
    await sleep(200);
  }
}

/** Polls a service's /health/ready until its status is `status`; returns the body seen. */
export async function readinessBecomes(
  baseUrl: string,
  status: number,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const result = await http(baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 });
      if (result.status === status) return result.text;
    } catch {
      // Not answering yet.
    }
    await sleep(100);
  }
  return undefined;
}
