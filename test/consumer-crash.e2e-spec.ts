/** The order service SIGKILLed mid-stream of user events: after restart every order converges. */
import { startFaultStack } from './support/fault-stack';
import { UpdateStream } from './support/update-stream';

describe('reliability under faults (docs/reliability.md)', () => {
  const faults = startFaultStack({ suite: 'consumercrash' });

  faults.scenario(
    'b. order service SIGKILLed mid-stream: after restart every order converges',
    async () => {
      const { v1, v2, order } = faults.services();
      const users = faults.users();
      const dlqBefore = await faults.broker().deadLettered();
      const total = 300;
      const stream = new UpdateStream({ targets: [v2.url, v1.url], users, total, label: 'kill' });

      await stream.reached(Math.floor(total / 3));
      const killedPid = order.pid;
      await order.kill();
      const killedAt = Date.now();
      const killedAtUpdate = stream.progress.done;
      await stream.reached(Math.floor((2 * total) / 3));
      await order.start(60_000);
      const restartedAt = Date.now();
      const restartedAtUpdate = stream.progress.done;

      const stats = await stream.finished;
      const settled = await faults.settleSeededOrders(dlqBefore);
      const { convergence, lost, dlqDelta } = settled;
      console.log(
        `[order-sigkill] updates=${stats.attempted} ok=${stats.ok} failed=${stats.failed} ` +
          `events-expected=${stats.ok} killed-pid=${String(killedPid)} killed-at-update=${killedAtUpdate} ` +
          `restarted-at-update=${restartedAtUpdate} down-ms=${restartedAt - killedAt} ` +
          `orders-converged=${convergence.converged}/${convergence.total} lost=${lost} ` +
          `converge-ms(after-stream)=${convergence.ms} dead-lettered=${dlqDelta}`,
      );
      faults.logStreamTrouble('order-sigkill', stats, settled);

      expect(order.pid).not.toBe(killedPid);
      expect(stats.failed).toBe(0);
      expect(stats.ok).toBe(total);
      expect(convergence.total).toBe(users.length * 3);
      expect(lost).toBe(0);
      expect(dlqDelta).toBe(0);
      await faults.expectDeliveredUnchanged();
      await faults.expectEveryServiceUp();
    },
  );
});
