/**
 * The hot queries' plans on an engine that reports PostgreSQL plans (FerretDB 2 + DocumentDB):
 * with the indexes the schemas declare and 10,000 orders, each query must start from an index
 * scan. `npm run engine:documentdb` runs it; the output is quoted in docs/engines.md.
 */
import mongoose from 'mongoose';
import { OrderSchema, UserSchema } from '@aware/database';
import { InfraError, withDatabase } from '@aware/harness';

const ORDERS = 10_000;
const USERS = 1_000;
const STATUSES = ['under process', 'shipping', 'delivered', 'cancelled'];

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** "Limit → Sort → Bitmap Heap Scan → Bitmap Index Scan(name)", from the root down. */
function describePlan(node: PlanNode): { steps: string; indexes: string[] } {
  const steps: string[] = [];
  const indexes: string[] = [];
  const walk = (each: PlanNode): void => {
    const name = each['Index Name'];
    steps.push(`${each['Node Type'] ?? '?'}${name ? ` (${name})` : ''}`);
    if (name) indexes.push(name);
    for (const child of each.Plans ?? []) walk(child);
  };
  walk(node);
  return { steps: steps.join(' → '), indexes };
}

interface QueryPlan {
  query: string;
  steps: string;
}

export async function checkQueryPlans(serverUri: string): Promise<QueryPlan[]> {
  const connection = await mongoose
    .createConnection(withDatabase(serverUri, 'engine_query_plans'), { autoIndex: false })
    .asPromise();
  try {
    const orders = connection.model('Order', OrderSchema);
    const users = connection.model('User', UserSchema);
    await Promise.all([orders.createIndexes(), users.createIndexes()]);
    const db = connection.db!;
    const start = Date.now();
    // Keyed by orderId, as the order service stores them (OrdersRepository).
    await db.collection<{ _id: string }>('orders').insertMany(
      Array.from({ length: ORDERS }, (_, i) => ({
        _id: `order-${i}`,
        orderId: `order-${i}`,
        userId: `user-${i % USERS}`,
        userVersion: 1,
        orderStatus: STATUSES[i % STATUSES.length],
        createdAt: new Date(start + i),
      })),
    );
    await db.collection<{ _id: string }>('users').insertMany(
      Array.from({ length: USERS * 2 }, (_, i) => ({
        _id: `user-${i % USERS}#${1 + Math.floor(i / USERS)}`,
        userId: `user-${i % USERS}`,
        version: 1 + Math.floor(i / USERS),
      })),
    );
    const explain = async (
      query: string,
      collection: string,
      command: Record<string, unknown>,
      index: string,
    ): Promise<QueryPlan> => {
      const result = await db.command({
        explain: { find: collection, ...command },
        verbosity: 'queryPlanner',
      });
      const plan = (result.queryPlanner as { Plan?: PlanNode } | undefined)?.Plan;
      if (!plan) throw new InfraError(`${query}: the engine's explain has no PostgreSQL plan`);
      const { steps, indexes } = describePlan(plan);
      if (!indexes.includes(index)) {
        throw new InfraError(`${query} does not use ${index}: ${steps}`);
      }
      return { query, steps };
    };
    return [
      await explain(
        'GET /orders?orderStatus=shipping (page of 100)',
        'orders',
        { filter: { orderStatus: 'shipping' }, sort: { createdAt: 1, orderId: 1 }, limit: 100 },
        'orderStatus_1_createdAt_1_orderId_1',
      ),
      await explain(
        'GET /orders/{id}: the order by its orderId',
        'orders',
        { filter: { orderId: 'order-7' }, limit: 1 },
        'orderId_1',
      ),
      await explain(
        "fan-out of a user event (the updateMany's filter)",
        'orders',
        {
          filter: {
            userId: 'user-7',
            userVersion: { $lt: 2 },
            orderStatus: { $in: ['under process', 'shipping'] },
          },
        },
        'userId_1_userVersion_1',
      ),
      await explain(
        "PUT /users/{id}: the user's newest version",
        'users',
        { filter: { userId: 'user-7' }, sort: { version: -1 }, limit: 1 },
        'userId_1_version_-1',
      ),
    ];
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}
