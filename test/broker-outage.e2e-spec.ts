/** The broker unreachable during a stream of user updates: no write fails, nothing is lost. */
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultStack } from './support/fault-stack';
import { readinessBecomes, UpdateStream } from './support/update-stream';

describe('reliability under faults (docs/reliability.md)', () => {
  const faults = startFaultStack({ suite: 'brokercut', brokerProxy: true });

  faults.scenario(
    'a. broker cut during a stream of 510 updates: no write fails, nothing is lost',
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
      // Every service notices: readiness names RabbitMQ as down.
      const readyDuringCut = await Promise.all(
        [v1, v2, order].map((service) => readinessBecomes(service.url, 503, 5_000)),
      );
      await stream.reached(Math.floor((2 * total) / 3));
      const minOutageMs = 4_000;
      if (Date.now() - cutAt < minOutageMs) await sleep(minOutageMs - (Date.now() - cutAt));
      proxy.restore();
      const restoredAt = Date.now();
      const restoredAtUpdate = stream.progress.done;

      const stats = await stream.finished;
      const streamMs = Date.now() - started;
      const settled = await faults.settleSeededOrders(dlqBefore);
      const { convergence, lost, dlqDelta } = settled;
      console.log(
        `[broker-cut] updates=${stats.attempted} ok=${stats.ok} failed=${stats.failed} ` +
          `events-expected=${stats.ok} cut-at-update=${cutAtUpdate} restored-at-update=${restoredAtUpdate} ` +
          `outage-ms=${restoredAt - cutAt} stream-ms=${streamMs} ` +
          `ready-during-cut=${readyDuringCut.map((body) => (body ? 503 : 'not-503')).join('/')} ` +
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
      for (const body of readyDuringCut) expect(body).toMatch(/rabbitmq/);
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
