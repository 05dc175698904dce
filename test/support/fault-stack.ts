/**
 * The stack the fault scenarios (docs/reliability.md) share: the three services run as child
 * processes from the built bundles; the broker and the order database can be reached through TCP
 * proxies that the tests cut. The machine's RabbitMQ and MongoDB are never touched. Each scenario
 * prints a one-line measurement summary.
 */
import {
  createOrderForKnownUser,
  createUser,
  getOrder,
  moveOrder,
  type OrderBody,
  type UserBody,
} from './aware-client';
import { http } from './http';
import { RawBroker } from './raw-broker';
import { ServiceStack, withServiceOutput, type ServiceStackOptions } from './service-stack';
import {
  readinessBecomes,
  waitForConvergence,
  type Convergence,
  type StreamStats,
} from './update-stream';

/** How long orders get to converge after a fault before the stale ones count as lost. */
const CONVERGE_TIMEOUT_MS = 45_000;

/** The seeded orders after a fault: how many converged, were lost, were dead-lettered. */
interface SettledOrders {
  convergence: Convergence;
  lost: number;
  dlqDelta: number;
}

interface FaultStack {
  services(): ServiceStack;
  broker(): RawBroker;
  /** Users the streams update; each has 2 under-process, 1 shipping and 1 delivered order. */
  users(): UserBody[];
  /** A test that prints the services' output when it fails. */
  scenario(name: string, body: () => Promise<void>): void;
  /** Waits for the seeded users' orders to converge; counts dead letters since `dlqBefore`. */
  settleSeededOrders(dlqBefore: number): Promise<SettledOrders>;
  /** Prints a stream's failed writes and some stale orders, when there are any. */
  logStreamTrouble(tag: string, stats: StreamStats, settled: SettledOrders): void;
  expectDeliveredUnchanged(): Promise<void>;
  expectEveryServiceUp(): Promise<void>;
}

/**
 * Starts the stack and seeds its users and orders before the enclosing describe's tests, revives
 * a service an earlier test left dead before each test, and stops everything after the last.
 */
export function startFaultStack(
  options: Pick<ServiceStackOptions, 'suite' | 'brokerProxy' | 'orderDbProxy'>,
): FaultStack {
  // Streams, outages and restarts take far longer than Jest's default per test.
  jest.setTimeout(120_000);

  let stack: ServiceStack | undefined;
  let raw: RawBroker | undefined;
  let users: UserBody[] = [];
  let deliveredOrders: OrderBody[] = [];
  const services = (): ServiceStack => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };
  const broker = (): RawBroker => {
    if (!raw) throw new Error('no broker connection');
    return raw;
  };

  beforeAll(async () => {
    stack = await ServiceStack.started(options, async (started) => {
      raw = await RawBroker.connect(started.amqpUrl, started.prefix);
      const { v1, v2, order } = started;
      users = await Promise.all(
        [0, 1, 2, 3, 4].map((i) => createUser(i % 2 === 0 ? v1.url : v2.url, `fault${i}`)),
      );
      deliveredOrders = [];
      for (const user of users) {
        await createOrderForKnownUser(order.url, user.userId);
        await createOrderForKnownUser(order.url, user.userId);
        const shipping = await createOrderForKnownUser(order.url, user.userId);
        await moveOrder(order.url, shipping.orderId, 'shipping');
        const delivered = await createOrderForKnownUser(order.url, user.userId);
        await moveOrder(order.url, delivered.orderId, 'delivered');
        deliveredOrders.push(await getOrder(order.url, delivered.orderId));
      }
    });
  }, 120_000);

  // A service that crashed in one test is reported there; the next test starts with it running.
  beforeEach(async () => {
    for (const service of stack?.services ?? []) {
      if (!service.running && service.pid !== undefined) {
        process.stderr.write(`restarting ${service.name}, which died in an earlier test\n`);
        await service.start(60_000);
      }
      service.unexpectedExits.length = 0;
    }
  }, 120_000);

  afterAll(async () => {
    await raw?.close();
    await stack?.stop();
  }, 60_000);

  return {
    services,
    broker,
    users: () => users,
    scenario: (name, body) =>
      it(
        name,
        withServiceOutput(() => stack, body),
      ),
    async settleSeededOrders(dlqBefore) {
      const { v1, order } = services();
      const convergence = await waitForConvergence(
        v1.url,
        order.url,
        users.map((user) => user.userId),
        CONVERGE_TIMEOUT_MS,
      );
      const lost = convergence.total - convergence.converged;
      const dlqDelta = (await broker().deadLettered()) - dlqBefore;
      return { convergence, lost, dlqDelta };
    },
    logStreamTrouble(tag, stats, { convergence, lost }) {
      if (stats.failures.length > 0)
        console.log(`[${tag}] failures: ${stats.failures.join(' | ')}`);
      if (lost > 0 || convergence.total === 0) {
        console.log(`[${tag}] stale: ${convergence.stale.slice(0, 5).join(', ')}`);
      }
    },
    async expectDeliveredUnchanged() {
      for (const before of deliveredOrders) {
        expect(await getOrder(services().order.url, before.orderId)).toEqual(before);
      }
    },
    async expectEveryServiceUp() {
      for (const service of services().services) {
        expect(service.unexpectedExits).toEqual([]);
        expect(service.running).toBe(true);
        expect((await http(service.url, 'GET', '/health')).status).toBe(200);
        expect(await readinessBecomes(service.url, 200, 15_000)).toBeDefined();
      }
    },
  };
}
