/**
 * The broker unreachable during a stream of user updates: no write fails, nothing is lost, and
 * every service stays ready (readiness is about serving HTTP; the broker is only reported).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ITEMS, type OrderBody, type UserBody } from './support/aware-client';
import { startFaultStack } from './support/fault-stack';
import { anAddress, uniqueEmail } from './support/fixtures';
import { eventually, expectStatus, http } from './support/http';
import type { ServiceProcess } from '@aware/harness';
import { UpdateStream, waitForConvergence } from './support/update-stream';

interface ReadinessBody {
  reported?: { rabbitmq?: { status?: string } };
}

/** Polls /health/ready of every service until stopped; keeps each status and broker state seen. */
class ReadinessWatch {
  readonly seen = new Map<string, { statuses: Set<number>; brokerStates: Set<string> }>();
  private running = true;
  private readonly done: Promise<void>;

  constructor(services: ServiceProcess[]) {
    for (const service of services) {
      this.seen.set(service.name, { statuses: new Set(), brokerStates: new Set() });
    }
    this.done = Promise.all(services.map((service) => this.poll(service))).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async poll(service: ServiceProcess): Promise<void> {
    const seen = this.seen.get(service.name)!;
    while (this.running) {
      try {
        const result = await http<ReadinessBody>(service.url, 'GET', '/health/ready', {
          timeoutMs: 3_000,
        });
        seen.statuses.add(result.status);
        seen.brokerStates.add(result.body?.reported?.rabbitmq?.status ?? 'not reported');
      } catch (error) {
        seen.statuses.add(0);
        seen.brokerStates.add(`no answer: ${String(error)}`);
      }
      await sleep(100);
    }
  }
}

/** The broker-connection gauge of a service's /metrics (1 connected, 0 not). */
async function brokerGauge(service: ServiceProcess): Promise<string | undefined> {
  const metrics = await http<string>(service.url, 'GET', '/metrics');
  return /^aware_broker_connected (\d)$/m.exec(metrics.text)?.[1];
}

describe('reliability under faults (docs/reliability.md)', () => {
  const faults = startFaultStack({ suite: 'brokercut', brokerProxy: true });

  faults.scenario(
    'a. broker cut during a stream of 510 updates: every service stays ready, no write fails, nothing is lost',
    async () => {
      const { v1, v2, order } = faults.services();
      const users = faults.users();
      const proxy = faults.services().broker;
      if (!proxy) throw new Error('no broker proxy');
      const dlqBefore = await faults.broker().deadLettered();
      const total = 510;
      const stream = new UpdateStream({
        targets: [v1.url, v2.url],
        users,
        total,
        label: 'cut',
      });
      const started = Date.now();

      await stream.reached(Math.floor(total / 3));
      proxy.cut();
      const cutAt = Date.now();
      const cutAtUpdate = stream.progress.done;
      const readiness = new ReadinessWatch([v1, v2, order]);
      let newUser: UserBody;
      try {
        // Every service notices, in its metrics, yet stays ready.
        for (const service of [v1, v2, order]) {
          await eventually(
            `${service.name} reports the broker down on /metrics`,
            async () => ((await brokerGauge(service)) === '0' ? true : undefined),
            10_000,
          );
        }
        // Writes that need no broker answer during the outage: a new user on each version, an
        // order for one of them (the order service has not heard of it yet, so the order carries
        // its contact), and a change to that user, whose event must reach the order later.
        const createdDuringCut = await Promise.all(
          [v1, v2].map(async (service) =>
            expectStatus(
              await http<UserBody>(service.url, 'POST', '/users', {
                body: { emails: [uniqueEmail('cut')], deliveryAddress: anAddress() },
              }),
              201,
              `POST /users on ${service.name} during the cut`,
            ),
          ),
        );
        newUser = createdDuringCut[0];
        expectStatus(
          await http<OrderBody>(order.url, 'POST', '/orders', {
            body: {
              userId: newUser.userId,
              userEmails: newUser.emails,
              deliveryAddress: newUser.deliveryAddress,
              items: ITEMS,
            },
          }),
          201,
          'POST /orders during the cut',
        );
        expectStatus(
          await http(v2.url, 'PUT', `/users/${newUser.userId}`, {
            body: { deliveryAddress: anAddress({ city: 'Cut City' }) },
          }),
          200,
          'PUT /users during the cut',
        );
        await stream.reached(Math.floor((2 * total) / 3));
        const minOutageMs = 4_000;
        if (Date.now() - cutAt < minOutageMs) await sleep(minOutageMs - (Date.now() - cutAt));
      } finally {
        await readiness.stop();
      }
      proxy.restore();
      const restoredAt = Date.now();
      const restoredAtUpdate = stream.progress.done;

      const stats = await stream.finished;
      const streamMs = Date.now() - started;
      const settled = await faults.settleSeededOrders(dlqBefore);
      const { convergence, lost, dlqDelta } = settled;
      const newUserConvergence = await waitForConvergence(
        v1.url,
        order.url,
        [newUser.userId],
        30_000,
      );
      const readinessSeen = [...readiness.seen].map(
        ([name, seen]) =>
          `${name}:${[...seen.statuses].join('/')}(${[...seen.brokerStates].join('/')})`,
      );
      console.log(
        `[broker-cut] updates=${stats.attempted} ok=${stats.ok} failed=${stats.failed} ` +
          `events-expected=${stats.ok} cut-at-update=${cutAtUpdate} restored-at-update=${restoredAtUpdate} ` +
          `outage-ms=${restoredAt - cutAt} stream-ms=${streamMs} ` +
          `ready-during-cut=${readinessSeen.join(' ')} ` +
          `orders-converged=${convergence.converged}/${convergence.total} lost=${lost} ` +
          `converge-ms(after-stream)=${convergence.ms} since-restore-ms=${Date.now() - restoredAt} ` +
          `dead-lettered=${dlqDelta} proxy-refused=${proxy.connectionsRefused}`,
      );
      faults.logStreamTrouble('broker-cut', stats, settled);

      expect(stats.attempted).toBe(total);
      expect(stats.failed).toBe(0);
      expect(stats.ok).toBe(total);
      // No service may crash because its broker connection dropped.
      expect(
        faults
          .services()
          .services.map((s) => `${s.name}: ${s.unexpectedExits.join(',') || 'alive'}`),
      ).toEqual(['user-v1: alive', 'user-v2: alive', 'order: alive']);
      // Ready throughout the outage, reporting the broker down (and up before the cut showed).
      for (const [name, seen] of readiness.seen) {
        expect({ name, statuses: [...seen.statuses] }).toEqual({ name, statuses: [200] });
        expect({ name, down: seen.brokerStates.has('down') }).toEqual({ name, down: true });
      }
      expect(newUserConvergence).toMatchObject({ converged: 1, total: 1 });
      for (const service of [v1, v2, order]) {
        await eventually(
          `${service.name} reports the broker up again on /metrics`,
          async () => ((await brokerGauge(service)) === '1' ? true : undefined),
          10_000,
        );
      }
      expect(convergence.total).toBe(users.length * 3);
      expect(lost).toBe(0);
      expect(dlqDelta).toBe(0);
      // Each user took every one of its PUTs: versions went up by exactly that many.
      for (const user of users) {
        expect(stats.lastVersion.get(user.userId)).toBe(user.version + total / users.length);
      }
      await faults.expectDeliveredUnchanged();
      await faults.expectEveryServiceUp();
    },
  );
});
