/**
 * Safe retries of creates (Idempotency-Key on POST /users and POST /orders) against the built
 * services, the real database and the real broker: retries answer the first answer and write
 * nothing, simultaneous requests with one key make one resource on every instance, and a database
 * cut between a create's write and its answer is resolved by the retry.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { userEventsTopology } from '@aware/events';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type HttpResult, type Json } from './support/http';
import { engineHasAtomicConditionalUpdates } from './support/infra';
import { ServiceProcess } from '@aware/harness';
import { ServiceStack, withServiceOutput } from './support/service-stack';
import { readinessBecomes } from './support/update-stream';

jest.setTimeout(180_000);

const KEY = 'Idempotency-Key';
/** Longer than the driver's operation deadline, so a request stuck on a partition ends. */
const CUT_REQUEST_TIMEOUT_MS = 45_000;
/** A loaded FerretDB on a busy machine answers slowly at times: a storm must not time out. */
const STORM_TIMEOUT_MS = 60_000;

/** The bytes that open a command `{ insert: "<collection>", … }` as the driver sends it (BSON). */
function insertCommandMarker(collection: string): Buffer {
  const name = Buffer.from(`${collection}\0`);
  const length = Buffer.alloc(4);
  length.writeInt32LE(name.length);
  return Buffer.concat([Buffer.from('\x02insert\0', 'latin1'), length, name]);
}

describe('Idempotency-Key on creates', () => {
  let stack: ServiceStack | undefined;
  let secondOrder: ServiceProcess | undefined;
  let usersDb: Connection;
  let ordersDb: Connection;
  let amqp: ChannelModel;
  let channel: Channel;
  /** user.created messages seen on the suite's exchange, by userId. */
  const createdEvents = new Map<string, number>();

  const services = (): ServiceStack => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  beforeAll(async () => {
    stack = await ServiceStack.started({
      suite: 'idempotency',
      orderDbProxy: true,
      userDbProxies: true,
    });
    usersDb = await mongoose.createConnection(stack.usersDbUri).asPromise();
    ordersDb = await mongoose.createConnection(stack.ordersDbUri).asPromise();
    // A queue of the test's own on the suite's exchange counts the events the services publish.
    amqp = await connect(stack.amqpUrl);
    channel = await amqp.createChannel();
    const { exchange } = userEventsTopology(`${stack.prefix}.`);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, 'user.created');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        const { data } = JSON.parse(message.content.toString()) as { data: { userId: string } };
        createdEvents.set(data.userId, (createdEvents.get(data.userId) ?? 0) + 1);
      },
      { noAck: true },
    );
    // Two order processes where the engine lets two serve; on FerretDB one holds the writer
    // lease and a second never becomes ready.
    if (await engineHasAtomicConditionalUpdates()) {
      secondOrder = new ServiceProcess({
        app: 'order',
        name: 'order-2',
        env: {
          AMQP_URL: stack.amqpUrl,
          AMQP_TOPOLOGY_PREFIX: stack.prefix,
          MONGO_URI: stack.ordersDbUri,
          LOG_LEVEL: 'warn',
        },
      });
      await secondOrder.start(60_000);
    }
  }, 120_000);

  afterAll(async () => {
    await channel?.close().catch(() => undefined);
    await amqp?.close().catch(() => undefined);
    await usersDb?.close();
    await ordersDb?.close();
    await secondOrder?.kill();
    await stack?.stop();
  }, 60_000);

  const scenario = (name: string, body: () => Promise<void>): void =>
    it(
      name,
      withServiceOutput(() => stack, body),
    );

  const userBody = (label: string): Json => ({
    emails: [uniqueEmail(label)],
    deliveryAddress: anAddress(),
  });
  const orderBody = (label: string): Json => ({
    items: [{ itemId: `${label}-${randomUUID()}`, quantity: 2, price: 4.25 }],
    userEmails: [uniqueEmail(label)],
    deliveryAddress: anAddress(),
  });

  const post = (
    url: string,
    path: '/users' | '/orders',
    body: unknown,
    headers: Record<string, string> = {},
    timeoutMs?: number,
  ): Promise<HttpResult<Json>> => http<Json>(url, 'POST', path, { body, headers, timeoutMs });

  const usersWithEmail = async (email: string): Promise<string[]> =>
    (await usersDb.collection('users').distinct('userId', { emails: email })).map(String);
  const ordersWithItem = async (itemId: string): Promise<string[]> =>
    (await ordersDb.collection('orders').find({ 'items.itemId': itemId }).toArray()).map((order) =>
      String(order.orderId),
    );

  const expectProblem = (result: HttpResult<Json>, status: number): Json => {
    expect({ status: result.status, body: result.body }).toMatchObject({ status });
    expect(result.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return result.body;
  };

  /** Waits until the relay had time to publish, then gives the user.created count of `userId`. */
  const createdEventsOf = async (userId: string): Promise<number> => {
    const deadline = Date.now() + 10_000;
    while (!createdEvents.has(userId) && Date.now() < deadline) await sleep(50);
    // Long enough for a duplicate to follow: the relay sweeps every 200 ms in this stack.
    await sleep(1_500);
    return createdEvents.get(userId) ?? 0;
  };

  describe('POST /users', () => {
    scenario(
      'a sequential retry (on the other version) answers the same, writes nothing, emits one event',
      async () => {
        const { v1, v2 } = services();
        const key = randomUUID();
        const body = userBody('retry');
        const first = await post(v1.url, '/users', body, { [KEY]: key });
        expect(first.status).toBe(201);
        expect(first.headers.get('idempotent-replayed')).toBeNull();
        const again = await post(v2.url, '/users', body, { [KEY]: key });
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('location')).toBe(first.headers.get('location'));
        const userId = String(first.body.userId);
        expect(await usersDb.collection('users').countDocuments({ userId })).toBe(1);
        expect(await createdEventsOf(userId)).toBe(1);
      },
    );

    scenario(
      '20 simultaneous requests with one key on user-v1 and user-v2 make one user',
      async () => {
        const { v1, v2 } = services();
        for (let round = 0; round < 3; round += 1) {
          const key = randomUUID();
          const body = userBody(`storm${round}`);
          const answers = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              post(i % 2 === 0 ? v1.url : v2.url, '/users', body, { [KEY]: key }),
            ),
          );
          const created = answers.filter((answer) => answer.status === 201);
          const others = answers.filter((answer) => answer.status !== 201);
          expect(created.length).toBeGreaterThan(0);
          expect(new Set(created.map((answer) => answer.body.userId)).size).toBe(1);
          for (const other of others) {
            expectProblem(other, 409);
            expect(other.headers.get('retry-after')).toMatch(/^\d+$/);
          }
          const email = (body.emails as string[])[0];
          expect(await usersWithEmail(email)).toEqual([created[0].body.userId]);
        }
      },
    );

    scenario('the same key with another body answers 422 naming the key', async () => {
      const { v1, v2 } = services();
      const key = `user-${randomUUID()}`;
      expect((await post(v1.url, '/users', userBody('first'), { [KEY]: key })).status).toBe(201);
      const other = await post(v2.url, '/users', userBody('second'), { [KEY]: key });
      const problem = expectProblem(other, 422);
      expect(String(problem.detail)).toContain(key);
    });

    scenario(
      'without a key nothing changes: the same body again is an email conflict',
      async () => {
        const { v1 } = services();
        const body = userBody('nokey');
        const first = await post(v1.url, '/users', body);
        expect(first.status).toBe(201);
        expect(first.headers.get('idempotent-replayed')).toBeNull();
        expectProblem(await post(v1.url, '/users', body), 409);
      },
    );

    scenario("another API client's key does not replay", async () => {
      const { v1 } = services();
      const key = randomUUID();
      const body = userBody('client');
      const mine = await post(v1.url, '/users', body, { [KEY]: key, 'X-Consumer-ID': 'client-a' });
      expect(mine.status).toBe(201);
      // Same key and body from another client: a new create, refused for the taken email.
      const theirs = await post(v1.url, '/users', body, {
        [KEY]: key,
        'X-Consumer-ID': 'client-b',
      });
      const problem = expectProblem(theirs, 409);
      expect(String(problem.detail)).toContain((body.emails as string[])[0]);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      const anonymous = await post(v1.url, '/users', body, { [KEY]: key });
      expectProblem(anonymous, 409);
    });

    scenario(
      'a refused first request stores nothing: the retry with a fixed body works',
      async () => {
        const { v1 } = services();
        const taken = userBody('taken');
        expect((await post(v1.url, '/users', taken)).status).toBe(201);
        const key = randomUUID();
        expectProblem(await post(v1.url, '/users', taken, { [KEY]: key }), 409);
        const fixed = await post(v1.url, '/users', userBody('fixed'), { [KEY]: key });
        expect(fixed.status).toBe(201);
        expect(fixed.headers.get('idempotent-replayed')).toBeNull();
      },
    );

    scenario('refuses a malformed key with 400 problem+json and writes nothing', async () => {
      const { v1 } = services();
      for (const bad of ['', ' ', 'has space', 'x'.repeat(256), 'clé', 'tab\tkey']) {
        const body = userBody('badkey');
        const answer = await post(v1.url, '/users', body, { [KEY]: bad });
        expectProblem(answer, 400);
        expect(await usersWithEmail((body.emails as string[])[0])).toEqual([]);
      }
      const longest = await post(v1.url, '/users', userBody('longkey'), { [KEY]: 'k'.repeat(255) });
      expect(longest.status).toBe(201);
    });

    scenario(
      'a database cut between the write and the answer: the retry answers the user, stored once',
      async () => {
        const { v1, v1Db } = services();
        if (!v1Db) throw new Error('no database proxy');
        const key = randomUUID();
        const body = userBody('cut');
        v1Db.blackholeAfter(insertCommandMarker('users'));
        let first: HttpResult<Json>;
        try {
          first = await post(v1.url, '/users', body, { [KEY]: key }, CUT_REQUEST_TIMEOUT_MS);
        } finally {
          v1Db.restore();
        }
        expect(first.status).toBe(503);
        const email = (body.emails as string[])[0];
        const stored = await usersWithEmail(email);
        expect(stored).toHaveLength(1);
        await readinessBecomes(v1.url, 200, 20_000);
        const retry = await post(v1.url, '/users', body, { [KEY]: key });
        expect(retry.status).toBe(201);
        expect(retry.body.userId).toBe(stored[0]);
        expect(await usersWithEmail(email)).toEqual(stored);
        expect(await createdEventsOf(stored[0])).toBe(1);
      },
    );
  });

  describe('POST /orders', () => {
    const orderUrls = (): string[] => [
      services().order.url,
      ...(secondOrder ? [secondOrder.url] : []),
    ];

    scenario('a sequential retry answers the same order and writes nothing', async () => {
      const [url] = orderUrls();
      const key = randomUUID();
      const body = orderBody('retry');
      const first = await post(url, '/orders', body, { [KEY]: key });
      expect(first.status).toBe(201);
      const again = await post(url, '/orders', body, { [KEY]: key });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('location')).toBe(`/orders/${String(first.body.orderId)}`);
      const itemId = String((body.items as Json[])[0].itemId);
      expect(await ordersWithItem(itemId)).toEqual([first.body.orderId]);
      // The replay is labelled in the service's metrics, apart from new requests.
      const metrics = await http(url, 'GET', '/metrics');
      expect(metrics.text).toMatch(
        /http_requests_total\{[^}]*route="\/orders"[^}]*status="201"[^}]*replayed="true"[^}]*\} [1-9]/,
      );
    });

    scenario('20 simultaneous requests with one key make one order', async () => {
      const urls = orderUrls();
      for (let round = 0; round < 3; round += 1) {
        const key = randomUUID();
        const body = orderBody(`storm${round}`);
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            post(urls[i % urls.length], '/orders', body, { [KEY]: key }),
          ),
        );
        const created = answers.filter((answer) => answer.status === 201);
        expect(created.length).toBeGreaterThan(0);
        expect(new Set(created.map((answer) => answer.body.orderId)).size).toBe(1);
        for (const other of answers.filter((answer) => answer.status !== 201)) {
          expectProblem(other, 409);
          expect(other.headers.get('retry-after')).toMatch(/^\d+$/);
        }
        const itemId = String((body.items as Json[])[0].itemId);
        expect(await ordersWithItem(itemId)).toEqual([created[0].body.orderId]);
      }
    });

    scenario('the same key with another body answers 422 naming the key', async () => {
      const [url] = orderUrls();
      const key = `order-${randomUUID()}`;
      expect((await post(url, '/orders', orderBody('first'), { [KEY]: key })).status).toBe(201);
      const problem = expectProblem(
        await post(url, '/orders', orderBody('other'), { [KEY]: key }),
        422,
      );
      expect(String(problem.detail)).toContain(key);
    });

    scenario('without a key nothing changes: the same body again is a second order', async () => {
      const [url] = orderUrls();
      const body = orderBody('nokey');
      const first = await post(url, '/orders', body);
      const second = await post(url, '/orders', body);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.orderId).not.toBe(first.body.orderId);
    });

    scenario("another API client's key does not replay", async () => {
      const [url] = orderUrls();
      const key = randomUUID();
      const body = orderBody('client');
      const mine = await post(url, '/orders', body, { [KEY]: key, 'X-Consumer-ID': 'client-a' });
      const theirs = await post(url, '/orders', body, {
        [KEY]: key,
        'X-Consumer-Username': 'client-b',
      });
      expect([mine.status, theirs.status]).toEqual([201, 201]);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(theirs.body.orderId).not.toBe(mine.body.orderId);
      const mineAgain = await post(url, '/orders', body, {
        [KEY]: key,
        'X-Consumer-ID': 'client-a',
      });
      expect(mineAgain.body.orderId).toBe(mine.body.orderId);
    });

    scenario(
      'a refused first request stores nothing: the retry with a fixed body works',
      async () => {
        const [url] = orderUrls();
        const key = randomUUID();
        const withoutEmails = { ...orderBody('refused'), userEmails: undefined };
        expectProblem(await post(url, '/orders', withoutEmails, { [KEY]: key }), 400);
        const fixed = await post(url, '/orders', orderBody('fixed'), { [KEY]: key });
        expect(fixed.status).toBe(201);
      },
    );

    scenario(
      'a database cut between the write and the answer: the retry answers the order, stored once',
      async () => {
        const { order, orderDb } = services();
        if (!orderDb) throw new Error('no database proxy');
        const key = randomUUID();
        const body = orderBody('cut');
        orderDb.blackholeAfter(insertCommandMarker('orders'));
        let first: HttpResult<Json>;
        try {
          first = await post(order.url, '/orders', body, { [KEY]: key }, CUT_REQUEST_TIMEOUT_MS);
        } finally {
          orderDb.restore();
        }
        expect(first.status).toBe(503);
        const itemId = String((body.items as Json[])[0].itemId);
        const stored = await ordersWithItem(itemId);
        expect(stored).toHaveLength(1);
        await readinessBecomes(order.url, 200, 20_000);
        const retry = await post(order.url, '/orders', body, { [KEY]: key });
        expect(retry.status).toBe(201);
        expect(retry.body.orderId).toBe(stored[0]);
        expect(await ordersWithItem(itemId)).toEqual(stored);
      },
    );

    scenario(
      'a cut after the key was stored and before the order: the retry makes the order, once',
      async () => {
        const { order, orderDb } = services();
        if (!orderDb) throw new Error('no database proxy');
        const key = randomUUID();
        const body = orderBody('halfway');
        orderDb.blackholeAfter(insertCommandMarker('idempotency_keys'));
        let first: HttpResult<Json>;
        try {
          first = await post(order.url, '/orders', body, { [KEY]: key }, CUT_REQUEST_TIMEOUT_MS);
        } finally {
          orderDb.restore();
        }
        expect(first.status).toBe(503);
        const itemId = String((body.items as Json[])[0].itemId);
        expect(await ordersWithItem(itemId)).toEqual([]);
        await readinessBecomes(order.url, 200, 20_000);
        // The first may still be in flight as far as any instance can tell: 409 until it cannot.
        let retry = await post(order.url, '/orders', body, { [KEY]: key });
        while (retry.status === 409) {
          await sleep(Number(retry.headers.get('retry-after')) * 1_000);
          retry = await post(order.url, '/orders', body, { [KEY]: key });
        }
        expect(retry.status).toBe(201);
        expect(await ordersWithItem(itemId)).toEqual([retry.body.orderId]);
        const again = await post(order.url, '/orders', body, { [KEY]: key });
        expect(again.body).toEqual(retry.body);
      },
    );
  });

  describe('a retry storm: 1,000 requests over 100 keys', () => {
    const storm = async (
      name: string,
      send: (key: string, body: Json, i: number) => Promise<HttpResult<Json>>,
      bodyOf: (label: string) => Json,
      idOf: (answer: HttpResult<Json>) => unknown,
      stored: (bodies: Json[]) => Promise<number>,
    ): Promise<void> => {
      const keys = Array.from({ length: 100 }, (_, i) => ({
        key: randomUUID(),
        body: bodyOf(`${name}${i}`),
      }));
      const requests = Array.from({ length: 1_000 }, (_, i) => keys[i % 100]);
      // Shuffled, 20 at a time: retries of one key overlap and follow each other.
      requests.sort(() => Math.random() - 0.5);
      const answers: HttpResult<Json>[] = [];
      let next = 0;
      let slowestMs = 0;
      const worker = async (): Promise<void> => {
        while (next < requests.length) {
          const i = next;
          next += 1;
          const sentAt = Date.now();
          answers.push(await send(requests[i].key, requests[i].body, i));
          slowestMs = Math.max(slowestMs, Date.now() - sentAt);
        }
      };
      const startedAt = Date.now();
      await Promise.all(Array.from({ length: 20 }, worker));
      const seconds = (Date.now() - startedAt) / 1000;
      const byStatus: Record<string, number> = {};
      for (const answer of answers) byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      const replayed = answers.filter((a) => a.headers.get('idempotent-replayed') === 'true');
      const ids = new Set(answers.filter((a) => a.status === 201).map(idOf));
      const resources = await stored(keys.map(({ body }) => body));
      process.stdout.write(
        `[retry storm ${name}] 1000 requests over 100 keys: ${resources} resources stored, ` +
          `${ids.size} distinct ids answered, answers by status ${JSON.stringify(byStatus)}, ` +
          `${replayed.length} replays, in ${seconds.toFixed(1)} s (slowest answer ${slowestMs} ms)\n`,
      );
      expect(
        Object.keys(byStatus).filter((status) => status !== '201' && status !== '409'),
      ).toEqual([]);
      expect(resources).toBe(100);
      expect(ids.size).toBe(100);
    };

    scenario('users on user-v1 and user-v2: 100 users', async () => {
      const { v1, v2 } = services();
      await storm(
        'users',
        (key, body, i) =>
          post(i % 2 === 0 ? v1.url : v2.url, '/users', body, { [KEY]: key }, STORM_TIMEOUT_MS),
        userBody,
        (answer) => answer.body.userId,
        async (bodies) => {
          let count = 0;
          for (const body of bodies)
            count += (await usersWithEmail((body.emails as string[])[0])).length;
          return count;
        },
      );
    });

    scenario('orders: 100 orders', async () => {
      const urls = orderUrls();
      await storm(
        'orders',
        (key, body, i) =>
          post(urls[i % urls.length], '/orders', body, { [KEY]: key }, STORM_TIMEOUT_MS),
        orderBody,
        (answer) => answer.body.orderId,
        async (bodies) => {
          let count = 0;
          for (const body of bodies) {
            count += (await ordersWithItem(String((body.items as Json[])[0].itemId))).length;
          }
          return count;
        },
      );
    });

    const orderUrls = (): string[] => [
      services().order.url,
      ...(secondOrder ? [secondOrder.url] : []),
    ];
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
