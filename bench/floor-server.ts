/**
 * The floor: what this machine and engine can do for each benchmarked operation with nothing
 * in the way — bare Fastify and the MongoDB driver, one database command per request, no
 * validation, no events, no outbox. The bench runs it beside the services and prints their
 * figures as ratios to it. Started by bench/stack.ts with FLOOR_MONGO_URI and PORT.
 */
import Fastify from 'fastify';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';

interface UserBody {
  emails: string[];
  deliveryAddress: Record<string, string>;
}

interface OrderBody {
  userId?: string;
  items: { itemId: string; quantity: number; price: number }[];
  userEmails: string[];
  deliveryAddress: Record<string, string>;
}

async function main(): Promise<void> {
  const uri = process.env.FLOOR_MONGO_URI;
  if (!uri) throw new Error('FLOOR_MONGO_URI is not set');
  const client = await new MongoClient(uri).connect();
  const db = client.db();
  const users = db.collection('users');
  const orders = db.collection('orders');
  // The same lookups the services index, so the floor is not slowed by a missing index. Plain,
  // as the services' secondary indexes are (a userId is a fresh UUID): on DocumentDB a unique one
  // costs every write that touches it.
  await users.createIndex({ userId: 1 });
  await orders.createIndex({ orderStatus: 1, createdAt: 1, orderId: 1 });

  const app = Fastify({ logger: false });
  const hidden = { projection: { _id: 0 } };

  app.get('/health', () => ({ status: 'ok' }));

  app.post<{ Body: UserBody }>('/users', async (request, reply) => {
    const user = { userId: randomUUID(), ...request.body, version: 1 };
    await users.insertOne({ ...user });
    return reply.code(201).send(user);
  });

  // By userId, not _id: the services look users up by a non-_id field too.
  app.put<{ Params: { userId: string }; Body: Partial<UserBody> }>(
    '/users/:userId',
    async (request, reply) => {
      const result = await users.updateOne(
        { userId: request.params.userId },
        { $set: request.body, $inc: { version: 1 } },
      );
      return result.matchedCount === 0 ? reply.code(404).send() : reply.send({ updated: true });
    },
  );

  app.get<{ Params: { userId: string } }>('/users/:userId', async (request, reply) => {
    const user = await users.findOne({ userId: request.params.userId }, hidden);
    return user ? reply.send(user) : reply.code(404).send();
  });

  app.post<{ Body: OrderBody }>('/orders', async (request, reply) => {
    const now = new Date();
    const totalPrice = request.body.items.reduce(
      (sum, item) => sum + item.quantity * item.price,
      0,
    );
    const order = {
      orderId: randomUUID(),
      ...request.body,
      totalPrice,
      orderStatus: 'under process',
      createdAt: now,
      updatedAt: now,
    };
    await orders.insertOne({ ...order });
    return reply.code(201).send(order);
  });

  app.get<{ Querystring: { status?: string; limit?: string } }>('/orders', (request) =>
    orders
      // As the order service asks for a page: one reply of the whole page, no server cursor.
      .find(request.query.status ? { orderStatus: request.query.status } : {}, {
        ...hidden,
        singleBatch: true,
        batchSize: Number(request.query.limit ?? 100),
      })
      .sort({ createdAt: 1, orderId: 1 })
      .limit(Number(request.query.limit ?? 100))
      .toArray(),
  );

  const close = (): void => {
    void app.close().then(() => client.close());
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  process.stderr.write(`floor server: ${String(error)}\n`);
  process.exit(1);
});
