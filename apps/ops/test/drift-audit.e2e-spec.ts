import type { Channel } from 'amqplib';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { parseEnvelope, UserUpdated, type OrderStatus } from '@aware/contracts';
import {
  ORDERS_COLLECTION,
  SEED_ORDERS,
  SEED_USERS,
  User,
  UserSchema,
  UsersRepository,
  type OrderRecord,
  type UserRecord,
} from '@aware/database';
import { anAddress } from '../../../test/support/fixtures';
import { opsTestEnv, takeMessages, type OpsTestEnv } from './ops-test-support';

const [ADA, ALAN] = SEED_USERS;

function seedOrderOf(user: UserRecord, status: OrderStatus): OrderRecord {
  const order = SEED_ORDERS.find(
    (candidate) => candidate.userId === user.userId && candidate.orderStatus === status,
  );
  if (!order) throw new Error(`no seed order of ${user.userId} in status ${status}`);
  return order;
}

/** A newer version of `user`, stored as the user services store one. */
function nextVersion(user: UserRecord, changes: Partial<UserRecord>): UserRecord {
  return {
    ...user,
    ...changes,
    version: user.version + 1,
    event: {
      eventId: randomUUID(),
      type: 'user.updated',
      occurredAt: new Date(),
      producer: 'user-v2',
    },
  };
}

describe('ops drift:audit (docs/events.md)', () => {
  let ops: OpsTestEnv;
  let orders: Connection;
  let users: UsersRepository;
  let channel: Channel;
  let adaV2: UserRecord;

  beforeAll(async () => {
    ops = opsTestEnv('ops-drift');
    await ops.declareTopology();
    channel = await ops.channel();
    const setup = await ops.run(['db:setup', '--seed']);
    expect(setup.code).toBe(0);
    const databases = await ops.databases();
    orders = databases.orders;
    users = new UsersRepository(databases.users.model(User.name, UserSchema));
  });

  afterAll(async () => {
    await ops.cleanup();
  });

  it('finds no drift in freshly seeded databases', async () => {
    const result = await ops.run(['drift:audit']);

    expect(result).toMatchObject({ code: 0, stderr: [] });
    expect(result.stdout).toEqual([
      'drift:audit: checked 5 users and 10 orders that follow them (under process, shipping); ' +
        'drifted: 0 orders, 0 projections, of 0 users',
    ]);
  });

  it('does not count an order edited on purpose (PUT /orders/{id}/details) as drift', async () => {
    const edited = seedOrderOf(ALAN, 'under process');
    await orders
      .collection(ORDERS_COLLECTION)
      .updateOne(
        { orderId: edited.orderId },
        { $set: { userEmails: ['someone@else.example'], contactEditedAt: new Date() } },
      );
    try {
      expect((await ops.run(['drift:audit'])).code).toBe(0);
    } finally {
      await orders
        .collection(ORDERS_COLLECTION)
        .updateOne(
          { orderId: edited.orderId },
          { $set: { userEmails: edited.userEmails }, $unset: { contactEditedAt: 1 } },
        );
    }
  });

  it('lists each order behind its user and each stale projection, and exits 3', async () => {
    // Ada changed, and the event never reached the order service.
    adaV2 = nextVersion(ADA, {
      emails: ['ada@new.example.com'],
      deliveryAddress: anAddress({ street: '2 New St' }),
      published: true,
    });
    expect(await users.insertVersion(adaV2)).toBe(true);
    // One of Alan's orders was overwritten behind the sync's back.
    const stale = seedOrderOf(ALAN, 'under process');
    await orders
      .collection(ORDERS_COLLECTION)
      .updateOne(
        { orderId: stale.orderId },
        { $set: { userVersion: 0, userEmails: ['stale@example.com'] } },
      );

    const result = await ops.run(['drift:audit']);

    expect(result.code).toBe(3);
    const adaDrift = 'userVersion 1 < 2, userEmails differ, deliveryAddress differs';
    expect(result.stdout.sort()).toEqual(
      [
        `drift: order ${seedOrderOf(ADA, 'under process').orderId} user ${ADA.userId}: ${adaDrift}`,
        `drift: order ${seedOrderOf(ADA, 'shipping').orderId} user ${ADA.userId}: ${adaDrift}`,
        `drift: user ${ADA.userId}: projection version 1 < 2`,
        `drift: order ${stale.orderId} user ${ALAN.userId}: userVersion 0 < 1, userEmails differ`,
        'drift:audit: checked 5 users and 10 orders that follow them (under process, shipping); ' +
          'drifted: 3 orders, 1 projections, of 2 users',
      ].sort(),
    );
  });

  it('checks delivered orders too when ORDER_SYNC_STATUSES lists them', async () => {
    const result = await ops.run(['drift:audit'], {
      ORDER_SYNC_STATUSES: 'under process,shipping,delivered',
    });

    expect(result.code).toBe(3);
    expect(result.stdout).toContainEqual(
      expect.stringContaining(`order ${seedOrderOf(ADA, 'delivered').orderId}`),
    );
  });

  it('with --repair, re-publishes the newest state of each drifted user as user.updated', async () => {
    const result = await ops.run(['drift:audit', '--repair']);

    expect(result).toMatchObject({ code: 0, stderr: [] });
    expect(result.stdout.at(-1)).toBe('drift:audit: re-published the newest state of 2 users');
    const messages = await takeMessages(channel, ops.topology.queue, 2);
    expect(messages).toHaveLength(2);
    const events = messages.map((message) => {
      const event = UserUpdated.parse(parseEnvelope(JSON.parse(message.content.toString())));
      expect(message.fields.routingKey).toBe('user.updated');
      expect(message.properties).toMatchObject({
        messageId: event.eventId,
        type: 'user.updated',
        contentType: 'application/json',
        deliveryMode: 2,
      });
      return event;
    });
    const byUser = new Map(events.map((event) => [event.data.userId, event]));
    for (const newest of [adaV2, ALAN]) {
      const event = byUser.get(newest.userId);
      expect(event).toMatchObject({
        type: 'user.updated',
        producer: newest.event.producer,
        data: {
          userId: newest.userId,
          version: newest.version,
          emails: newest.emails,
          deliveryAddress: newest.deliveryAddress,
        },
      });
      expect(event?.eventId).not.toBe(newest.event.eventId);
      expect(Date.parse(event?.occurredAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('skips a user whose newest version the outbox has not published yet', async () => {
    await users.insertVersion(nextVersion(adaV2, { published: false }));

    const result = await ops.run(['drift:audit']);

    expect(result.stdout).toContain(
      `drift:audit: user ${ADA.userId}: version 3 not yet published by the outbox; skipped`,
    );
    expect(result.stdout.filter((line) => line.includes(ADA.userId))).toHaveLength(1);
    expect(result.stdout.at(-1)).toMatch(/of 1 users; 1 users pending in the outbox$/);
  });
});

describe('ops drift:audit: orders that claim a version they do not hold', () => {
  let ops: OpsTestEnv;
  let orders: Connection;
  let channel: Channel;

  beforeAll(async () => {
    ops = opsTestEnv('ops-drift-frozen');
    await ops.declareTopology();
    channel = await ops.channel();
    expect((await ops.run(['db:setup', '--seed'])).code).toBe(0);
    orders = (await ops.databases()).orders;
  });

  afterAll(async () => {
    await ops.cleanup();
  });

  const ordersCollection = () => orders.collection(ORDERS_COLLECTION);

  it('reports an order changed in the database without a version change, and one frozen ahead by a forged event', async () => {
    const tampered = seedOrderOf(ADA, 'under process');
    await ordersCollection().updateOne(
      { orderId: tampered.orderId },
      { $set: { userEmails: ['tampered@example.com'] } },
    );
    const frozen = seedOrderOf(ALAN, 'shipping');
    await ordersCollection().updateOne(
      { orderId: frozen.orderId },
      { $set: { userVersion: 1_000_000, userEmails: ['forged@example.com'] } },
    );
    await orders
      .collection('user_projections')
      .updateOne({ _id: ALAN.userId as never }, { $set: { version: 1_000_000 } });

    const result = await ops.run(['drift:audit']);

    expect(result.code).toBe(3);
    expect(result.stdout).toEqual(
      expect.arrayContaining([
        `drift: order ${tampered.orderId} user ${ADA.userId}: userVersion 1 is the newest, but userEmails differ`,
        `drift: order ${frozen.orderId} user ${ALAN.userId}: userVersion 1000000 > newest 1, userEmails differ`,
        `drift: user ${ALAN.userId}: projection version 1000000 > newest 1`,
      ]),
    );
  });

  it('with --repair, resets what is frozen and re-publishes, so the newest state applies again', async () => {
    const result = await ops.run(['drift:audit', '--repair']);

    expect(result).toMatchObject({ code: 0, stderr: [] });
    expect(result.stdout).toContain(
      'drift:audit: reset 3 orders and projections to take the repair',
    );
    const frozen = await ordersCollection().findOne({
      orderId: seedOrderOf(ALAN, 'shipping').orderId,
    });
    expect(frozen?.userVersion).toBe(0);
    const tampered = await ordersCollection().findOne({
      orderId: seedOrderOf(ADA, 'under process').orderId,
    });
    expect(tampered?.userVersion).toBe(0);
    expect(
      await orders.collection('user_projections').countDocuments({ _id: ALAN.userId as never }),
    ).toBe(0);
    const messages = await takeMessages(channel, ops.topology.queue, 2);
    const repaired = messages.map(
      (message) =>
        UserUpdated.parse(parseEnvelope(JSON.parse(message.content.toString()))).data.userId,
    );
    expect(repaired.sort()).toEqual([ADA.userId, ALAN.userId].sort());
  });
});

describe('ops drift:audit: orders whose userId names no user', () => {
  let ops: OpsTestEnv;
  let orders: Connection;
  let channel: Channel;
  const ghostUserId = randomUUID();
  let orphan: OrderRecord;

  beforeAll(async () => {
    ops = opsTestEnv('ops-drift-orphans');
    await ops.declareTopology();
    channel = await ops.channel();
    expect((await ops.run(['db:setup', '--seed'])).code).toBe(0);
    orders = (await ops.databases()).orders;
    // An order rewritten to name a user no user service ever had (e.g. by a forged event).
    const seeded = seedOrderOf(ADA, 'under process');
    await orders
      .collection(ORDERS_COLLECTION)
      .updateOne({ orderId: seeded.orderId }, { $set: { userId: ghostUserId } });
    orphan = { ...seeded, userId: ghostUserId };
  });

  afterAll(async () => {
    await ops.cleanup();
  });

  const orphanLine = (): string =>
    `drift: order ${orphan.orderId} user ${ghostUserId}: no such user`;

  it('reports each following order whose user does not exist, and exits 3', async () => {
    const result = await ops.run(['drift:audit']);

    expect(result.code).toBe(3);
    expect(result.stdout).toContain(orphanLine());
    expect(result.stdout.at(-1)).toBe(
      'drift:audit: checked 5 users and 10 orders that follow them (under process, shipping); ' +
        'drifted: 0 orders, 0 projections, of 0 users; 1 orders name no user (1 unknown users)',
    );
  });

  it('with --repair, leaves them as they are (no user to re-publish), says so and still exits 3', async () => {
    const result = await ops.run(['drift:audit', '--repair']);

    expect(result.code).toBe(3);
    expect(result.stdout).toContain(orphanLine());
    expect(result.stdout.at(-1)).toBe(
      'drift:audit: 1 orders name no user; --repair cannot re-publish a user that does not ' +
        'exist and left them unchanged',
    );
    const stored = await orders
      .collection(ORDERS_COLLECTION)
      .findOne({ orderId: orphan.orderId }, { projection: { _id: 0 } });
    expect(stored).toMatchObject({ userId: ghostUserId, userVersion: orphan.userVersion });
    expect(await takeMessages(channel, ops.topology.queue, 1)).toEqual([]);
  });
});
