/** Events the order service gets out of order, twice, malformed, or while its database is down. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createOrderForKnownUser,
  getOrder,
  moveOrder,
  ordersOf,
  sameContact,
  type UserBody,
} from './support/aware-client';
import { startFaultStack } from './support/fault-stack';
import { anAddress, uniqueEmail } from './support/fixtures';
import { eventually, http, type Json } from './support/http';
import { userEvent } from './support/raw-broker';
import { readinessBecomes, waitForConvergence } from './support/update-stream';

describe('reliability under faults (docs/reliability.md)', () => {
  const { services, broker, users, scenario, expectEveryServiceUp } = startFaultStack({
    suite: 'eventdelivery',
    orderDbProxy: true,
  });

  scenario(
    'c. duplicated and shuffled deliveries: the newest version wins, old ones change nothing',
    async () => {
      const { order } = services();
      const dlqBefore = await broker().deadLettered();
      const userId = randomUUID();
      const stateOf = (
        version: number,
      ): { emails: string[]; deliveryAddress: ReturnType<typeof anAddress> } => ({
        emails: [`shuffle-v${version}.${userId.slice(0, 8)}@example.com`],
        deliveryAddress: anAddress({ street: `${version} Shuffle Way` }),
      });
      const eventFor = (version: number) => {
        const { emails, deliveryAddress } = stateOf(version);
        return userEvent(userId, version, emails, deliveryAddress);
      };
      await broker().publishEvent(eventFor(1));
      const followers = [
        await createOrderForKnownUser(order.url, userId),
        await createOrderForKnownUser(order.url, userId),
      ];
      const shipping = await createOrderForKnownUser(order.url, userId);
      await moveOrder(order.url, shipping.orderId, 'shipping');
      followers.push(shipping);
      const delivered = await createOrderForKnownUser(order.url, userId);
      await moveOrder(order.url, delivered.orderId, 'delivered');
      const deliveredBefore = await getOrder(order.url, delivered.orderId);

      const newest = 40;
      const messages: ReturnType<typeof eventFor>[] = [];
      for (let version = 2; version <= newest; version += 1) {
        const event = eventFor(version);
        const copies = 2 + (version % 2);
        // Redeliveries keep the eventId, as the outbox relay's retries do.
        for (let copy = 0; copy < copies; copy += 1) messages.push(event);
      }
      for (let i = messages.length - 1; i > 0; i -= 1) {
        const j = Math.floor(Math.random() * (i + 1));
        [messages[i], messages[j]] = [messages[j], messages[i]];
      }
      const newestPosition = messages.findIndex((event) => event.data.version === newest);
      const started = Date.now();
      for (const event of messages) await broker().publishEvent(event);

      const expected = { userId, version: newest, ...stateOf(newest) };
      await eventually(
        'orders reflect the newest version',
        async () => {
          const current = await Promise.all(followers.map((o) => getOrder(order.url, o.orderId)));
          return current.every((o) => sameContact(o, expected)) ? true : undefined;
        },
        30_000,
      );
      const convergeMs = Date.now() - started;
      // Let the rest of the shuffled copies drain, then check nothing older won afterwards.
      await eventually(
        'the order queue drains',
        async () =>
          (await broker().queueState(broker().topology.queue)).messages === 0 ? true : undefined,
        15_000,
      );
      await sleep(1_000);
      const settled = await Promise.all(followers.map((o) => getOrder(order.url, o.orderId)));
      const settledOk = settled.every((o) => sameContact(o, expected));
      expect(settledOk).toBe(true);

      // An old version after the newest: no order changes (not even updatedAt), nor the projection.
      const stale = eventFor(7);
      await broker().publishEvent({ ...stale, eventId: randomUUID() });
      await eventually(
        'the stale event is consumed',
        async () =>
          (await broker().queueState(broker().topology.queue)).messages === 0 ? true : undefined,
        15_000,
      );
      await sleep(1_000);
      const afterStale = await Promise.all(followers.map((o) => getOrder(order.url, o.orderId)));
      expect(afterStale).toEqual(settled);
      const fresh = await createOrderForKnownUser(order.url, userId);
      expect(sameContact(fresh, expected)).toBe(true);
      expect(await getOrder(order.url, delivered.orderId)).toEqual(deliveredBefore);
      const dlqDelta = (await broker().deadLettered()) - dlqBefore;
      console.log(
        `[shuffle] versions=2..${newest} messages=${messages.length} newest-at-position=${newestPosition} ` +
          `orders=${followers.length} final-version=${newest} settled-ok=${settledOk} ` +
          `stale-v7-after-newest=no-change converge-ms=${convergeMs} dead-lettered=${dlqDelta}`,
      );
      expect(dlqDelta).toBe(0);
    },
  );

  scenario('d. poison messages are dead-lettered and consumption continues', async () => {
    const { order } = services();
    const dlqBefore = await broker().deadLettered();
    const userId = randomUUID();
    const address = anAddress({ street: '1 Poison Pl' });
    const valid = userEvent(userId, 1, [uniqueEmail('poison')], address);
    const { data } = valid;
    const withData = (changes: Json): Json => ({
      ...valid,
      eventId: randomUUID(),
      data: { ...data, ...changes },
    });

    const poison: { name: string; routingKey?: string; body: unknown; contentType?: string }[] = [
      { name: 'not JSON', body: Buffer.from('{"eventId": nope'), contentType: 'text/plain' },
      { name: 'empty body', body: Buffer.alloc(0) },
      { name: 'binary garbage', body: Buffer.from([0xff, 0x00, 0xfe, 0x7b]) },
      { name: 'JSON null', body: 'null' },
      { name: 'JSON array', body: [valid] },
      { name: 'JSON string', body: '"user.updated"' },
      { name: 'missing data', body: { ...valid, eventId: randomUUID(), data: undefined } },
      { name: 'missing emails', body: withData({ emails: undefined }) },
      { name: 'missing eventId', body: { ...valid, eventId: undefined } },
      { name: 'schemaVersion 2', body: { ...valid, eventId: randomUUID(), schemaVersion: 2 } },
      {
        name: 'unknown type',
        routingKey: 'user.deleted',
        body: { ...valid, type: 'user.deleted' },
      },
      { name: 'unknown producer', body: { ...valid, eventId: randomUUID(), producer: 'evil' } },
      { name: 'version 0', body: withData({ version: 0 }) },
      { name: 'version string', body: withData({ version: '2' }) },
      { name: '$gt as email', body: withData({ emails: [{ $gt: '' }] }) },
      { name: '$ne as userId', body: withData({ userId: { $ne: null } }) },
      { name: '$gt as version', body: withData({ version: { $gt: 0 } }) },
      { name: '$where in address', body: withData({ deliveryAddress: { $where: 'sleep(5000)' } }) },
      {
        name: 'operator as address',
        body: withData({ deliveryAddress: { $set: { street: 'x' } } }),
      },
      {
        name: '11 emails',
        body: withData({ emails: Array.from({ length: 11 }, (_, i) => `e${i}@example.com`) }),
      },
      { name: 'bad email', body: withData({ emails: ['not-an-email'] }) },
      // Every field only under __proto__: must not be read through the prototype.
      {
        name: '__proto__ event',
        body: `{"__proto__": ${JSON.stringify({ ...valid, eventId: randomUUID() })}}`,
      },
      {
        name: '__proto__ data',
        body: JSON.stringify({ ...valid, eventId: randomUUID(), data: 'DATA' }).replace(
          '"DATA"',
          `{"__proto__": ${JSON.stringify(data)}}`,
        ),
      },
      {
        name: 'constructor.prototype',
        body: {
          constructor: { prototype: { polluted: true } },
          data: { constructor: { prototype: data } },
        },
      },
    ];
    for (const message of poison) {
      await broker().publish(message.routingKey ?? 'user.updated', message.body, {
        contentType: message.contentType,
      });
    }
    // The valid event after the poison is applied: the order service learns the user.
    await broker().publishEvent(valid);
    const applied = await createOrderForKnownUser(order.url, userId, 15_000);
    expect(sameContact(applied, { emails: data.emails, deliveryAddress: address })).toBe(true);
    const deadLettered = await eventually(
      `${poison.length} poison messages in the dead-letter queue`,
      async () => {
        const delta = (await broker().deadLettered()) - dlqBefore;
        return delta >= poison.length ? delta : undefined;
      },
      15_000,
    ).catch(async () => (await broker().deadLettered()) - dlqBefore);
    const queue = await broker().queueState(broker().topology.queue);
    const ready = await http(order.url, 'GET', '/health/ready');
    const loggedDeadLetters = order
      .output()
      .split('\n')
      .filter((line) => line.includes('dead-lettering')).length;
    console.log(
      `[poison] published=${poison.length} dead-lettered=${deadLettered} valid-applied=yes ` +
        `queue-ready=${queue.messages} consumers=${queue.consumers} order-alive=${order.running} ` +
        `ready=${ready.status} logged-dead-letters=${loggedDeadLetters}`,
    );
    // Nothing pollutes the test process either (the bodies went through JSON only).
    expect(({} as Json).polluted).toBeUndefined();
    expect(deadLettered).toBe(poison.length);
    expect(queue.consumers).toBeGreaterThanOrEqual(1);
    expect(ready.status).toBe(200);
    expect(order.unexpectedExits).toEqual([]);
    // The projection holds the valid event's state, not anything a poison message carried.
    const orders = await ordersOf(order.url, userId);
    expect(orders).toHaveLength(1);
    expect(orders[0].deliveryAddress).toEqual(address);
  });

  scenario('e. order database unavailable: events are redelivered, then applied', async () => {
    const { v2, order } = services();
    const proxy = services().orderDb;
    if (!proxy) throw new Error('no order database proxy');
    const dlqBefore = await broker().deadLettered();
    const requeuesBefore = order
      .output()
      .split('\n')
      .filter((line) => line.includes('requeueing')).length;
    const user = users()[0];

    proxy.cut();
    const cutAt = Date.now();
    const readyDuringOutage = await readinessBecomes(order.url, 503, 10_000);
    let updated = user;
    for (let i = 0; i < 5; i += 1) {
      const result = await http<UserBody>(v2.url, 'PUT', `/users/${user.userId}`, {
        body: { deliveryAddress: anAddress({ street: `${i} Outage Blvd` }) },
      });
      expect(result.status).toBe(200);
      updated = result.body;
    }
    // Longer than the order service's server selection timeout (5 s), so the handler fails and
    // the event goes back to the queue at least once.
    await sleep(Math.max(0, 9_000 - (Date.now() - cutAt)));
    proxy.restore();
    const restoredAt = Date.now();
    const convergence = await waitForConvergence(v2.url, order.url, [user.userId], 30_000);
    const requeues =
      order
        .output()
        .split('\n')
        .filter((line) => line.includes('requeueing')).length - requeuesBefore;
    const dlqDelta = (await broker().deadLettered()) - dlqBefore;
    console.log(
      `[order-db-down] outage-ms=${restoredAt - cutAt} updates=5 final-version=${updated.version} ` +
        `ready-during-outage=${readyDuringOutage ? 503 : 'not-503'} requeues-logged=${requeues} ` +
        `orders-converged=${convergence.converged}/${convergence.total} ` +
        `lost=${convergence.total - convergence.converged} converge-ms(after-restore)=${convergence.ms} ` +
        `dead-lettered=${dlqDelta}`,
    );
    expect(readyDuringOutage).toMatch(/mongodb/);
    expect(convergence.converged).toBe(convergence.total);
    expect(convergence.total).toBe(3);
    expect(dlqDelta).toBe(0);
    await expectEveryServiceUp();
  });
});
