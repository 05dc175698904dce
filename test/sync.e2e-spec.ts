/**
 * Cross-service synchronization (docs/api.md): user-v1, user-v2 and order run as child
 * processes from the built bundles against the real broker and database; no mocks.
 */
import { randomUUID } from 'node:crypto';
import {
  createOrderForKnownUser,
  createUser,
  getOrder,
  getUser,
  ITEMS,
  moveOrder,
  sameContact,
  updateUser,
  type OrderBody,
  type UserBody,
} from './support/aware-client';
import { anAddress, uniqueEmail } from './support/fixtures';
import { eventually, http, type Json } from './support/http';
import { ServiceStack, withServiceOutput } from './support/service-stack';

jest.setTimeout(120_000);

describe('user ↔ order synchronization across processes', () => {
  let stack: ServiceStack | undefined;
  const services = (): ServiceStack => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };
  const scenario = (name: string, body: () => Promise<void> | void, timeout?: number): void =>
    it(
      name,
      withServiceOutput(() => stack, body),
      timeout,
    );

  let alice: UserBody;
  let bob: UserBody;
  /** Alice's orders by status; the first two follow her, delivered does not. */
  let underProcess: OrderBody[];
  let shipping: OrderBody;
  let delivered: OrderBody;
  let bobsOrders: OrderBody[];

  beforeAll(async () => {
    stack = await ServiceStack.started({ suite: 'sync' }, async ({ v1, order }) => {
      alice = await createUser(v1.url, 'alice');
      bob = await createUser(v1.url, 'bob');
      underProcess = [
        await createOrderForKnownUser(order.url, alice.userId),
        await createOrderForKnownUser(order.url, alice.userId),
      ];
      shipping = await createOrderForKnownUser(order.url, alice.userId);
      await moveOrder(order.url, shipping.orderId, 'shipping');
      delivered = await createOrderForKnownUser(order.url, alice.userId);
      await moveOrder(order.url, delivered.orderId, 'delivered');
      bobsOrders = [
        await createOrderForKnownUser(order.url, bob.userId),
        await createOrderForKnownUser(order.url, bob.userId),
      ];
      await moveOrder(order.url, bobsOrders[1].orderId, 'shipping');
      delivered = await getOrder(order.url, delivered.orderId);
      bobsOrders = await Promise.all(bobsOrders.map((o) => getOrder(order.url, o.orderId)));
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const following = (): OrderBody[] => [...underProcess, shipping];

  /** Polls every order until it carries `user`'s contact fields; returns how long it took. */
  const waitConverged = async (orders: OrderBody[], user: UserBody): Promise<number> => {
    const started = Date.now();
    await eventually(
      `orders ${orders.map((o) => o.orderId).join(', ')} reflect user version ${user.version}`,
      async () => {
        const current = await Promise.all(
          orders.map((o) => getOrder(services().order.url, o.orderId)),
        );
        const stale = current.filter((o) => !sameContact(o, user));
        return stale.length === 0 ? true : undefined;
      },
      15_000,
    );
    return Date.now() - started;
  };

  /** The orders that must not follow Alice's changes kept exactly what they had. */
  const expectNonFollowersUnchanged = async (): Promise<void> => {
    const { order } = services();
    expect(await getOrder(order.url, delivered.orderId)).toEqual(delivered);
    for (const before of bobsOrders) {
      expect(await getOrder(order.url, before.orderId)).toEqual(before);
    }
  };

  scenario('every service is ready with RabbitMQ up', async () => {
    for (const service of services().services) {
      const result = await http<Json>(service.url, 'GET', '/health/ready');
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({
        info: { mongodb: { status: 'up' } },
        reported: { rabbitmq: { status: 'up' } },
      });
      expect(result.headers.get('x-service-version')).toMatch(new RegExp(`^${service.name}/`));
    }
  });

  scenario('orders created with only userId carry the user’s data from user.created', () => {
    for (const o of [...underProcess, shipping, delivered]) {
      expect(o.userId).toBe(alice.userId);
      expect(sameContact(o, alice)).toBe(true);
    }
    expect(shipping.orderStatus).toBe('under process');
    expect(delivered.orderStatus).toBe('delivered');
  });

  scenario(
    'POST /orders for a user the order service does not know, without userEmails → 400',
    async () => {
      const result = await http<Json>(services().order.url, 'POST', '/orders', {
        body: { userId: randomUUID(), items: ITEMS },
      });
      expect(result.status).toBe(400);
      expect(result.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(result.text).toMatch(/userEmails/);
    },
  );

  scenario('an update through user-v1 reaches the following orders only', async () => {
    const { v1, order } = services();
    const updated = await updateUser(v1.url, alice.userId, {
      emails: [uniqueEmail('alice-v1'), uniqueEmail('alice-v1b')],
      deliveryAddress: anAddress({ street: '10 Via V1', city: 'Rome', country: 'IT' }),
    });
    expect(updated.version).toBe(alice.version + 1);
    const ms = await waitConverged(following(), updated);
    console.log(
      `[sync-v1] version=${updated.version} orders=${following().length} converge-ms=${ms}`,
    );
    await expectNonFollowersUnchanged();
    // The order service's projection now has the new state for new orders.
    expect(sameContact(await createOrderForKnownUser(order.url, alice.userId), updated)).toBe(true);
    alice = updated;
  });

  scenario('an update through user-v2 reaches the following orders only', async () => {
    const { v2, order } = services();
    const updated = await updateUser(v2.url, alice.userId, {
      emails: [uniqueEmail('alice-v2')],
      deliveryAddress: anAddress({ street: '20 Rue V2', city: 'Paris', country: 'FR' }),
    });
    expect(updated.version).toBe(alice.version + 1);
    const ms = await waitConverged(following(), updated);
    console.log(
      `[sync-v2] version=${updated.version} orders=${following().length} converge-ms=${ms}`,
    );
    await expectNonFollowersUnchanged();
    expect(sameContact(await createOrderForKnownUser(order.url, alice.userId), updated)).toBe(true);
    alice = updated;
  });

  scenario('an update of only the address keeps the emails on orders', async () => {
    const updated = await updateUser(services().v1.url, alice.userId, {
      deliveryAddress: anAddress({ street: '30 Only Address Rd' }),
    });
    expect(updated.emails).toEqual(alice.emails);
    await waitConverged(following(), updated);
    alice = updated;
  });

  scenario(
    '10 rapid alternating v1/v2 updates → every following order ends with the last',
    async () => {
      const { v1, v2 } = services();
      let last = alice;
      for (let i = 0; i < 10; i += 1) {
        const via = i % 2 === 0 ? v1 : v2;
        last = await updateUser(via.url, alice.userId, {
          emails: [uniqueEmail(`rapid${i}`)],
          deliveryAddress: anAddress({ street: `${i} Rapid Lane`, postalCode: `1000${i}` }),
        });
      }
      expect(last.version).toBe(alice.version + 10);
      expect(last.deliveryAddress.street).toBe('9 Rapid Lane');
      expect(await getUser(v2.url, alice.userId)).toMatchObject({ version: last.version });
      const ms = await waitConverged(following(), last);
      console.log(`[sync-rapid] updates=10 final-version=${last.version} converge-ms=${ms}`);
      // Settled, not merely passing through: still the last state a moment later.
      await new Promise((done) => setTimeout(done, 500));
      for (const o of following()) {
        expect(sameContact(await getOrder(services().order.url, o.orderId), last)).toBe(true);
      }
      await expectNonFollowersUnchanged();
      alice = last;
    },
  );

  scenario('a PUT that changes nothing publishes nothing and changes no order', async () => {
    const { v1, order } = services();
    const before = await Promise.all(following().map((o) => getOrder(order.url, o.orderId)));
    const same = await updateUser(v1.url, alice.userId, { emails: alice.emails });
    expect(same.version).toBe(alice.version);
    await new Promise((done) => setTimeout(done, 500));
    const after = await Promise.all(following().map((o) => getOrder(order.url, o.orderId)));
    expect(after).toEqual(before);
  });

  scenario('the other user’s update reaches only that user’s following orders', async () => {
    const { v2, order } = services();
    const updated = await updateUser(v2.url, bob.userId, {
      deliveryAddress: anAddress({ street: '1 Bob Ave' }),
    });
    await eventually(
      'bob’s under-process order follows',
      async () =>
        sameContact(await getOrder(order.url, bobsOrders[0].orderId), updated) ? true : undefined,
      15_000,
    );
    expect(sameContact(await getOrder(order.url, bobsOrders[1].orderId), updated)).toBe(true);
    for (const o of following()) {
      expect(sameContact(await getOrder(order.url, o.orderId), alice)).toBe(true);
    }
  });
});
