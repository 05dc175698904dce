import {
  deleteTopology,
  ServiceProcess,
  throwawayTopologyPrefix,
  withOutputOf,
} from '@aware/harness';
import { dropDatabases, requiredEnv, throwawayMongoUri } from './infra';
import { TcpProxy, targetOf } from './tcp-proxy';

export interface ServiceStackOptions {
  /** Names the throwaway databases and topology prefix. */
  suite: string;
  /** Services reach RabbitMQ through a cuttable proxy (`stack.broker`). */
  brokerProxy?: boolean;
  /** The order service reaches its database through a cuttable proxy (`stack.orderDb`). */
  orderDbProxy?: boolean;
  /** user-v1 and user-v2 each reach the users database through their own cuttable proxy. */
  userDbProxies?: boolean;
  /** Extra environment for every service. */
  env?: Record<string, string>;
}

/**
 * user-v1, user-v2 and order as child processes from the built bundles, on throwaway users and
 * orders databases and a throwaway topology prefix on the real broker.
 */
export class ServiceStack {
  readonly prefix: string;
  readonly usersDbUri: string;
  readonly ordersDbUri: string;
  readonly amqpUrl: string;
  broker?: TcpProxy;
  orderDb?: TcpProxy;
  v1Db?: TcpProxy;
  v2Db?: TcpProxy;
  readonly v1: ServiceProcess;
  readonly v2: ServiceProcess;
  readonly order: ServiceProcess;

  private constructor(
    private readonly options: ServiceStackOptions,
    proxies: { broker?: TcpProxy; orderDb?: TcpProxy; v1Db?: TcpProxy; v2Db?: TcpProxy },
  ) {
    this.prefix = throwawayTopologyPrefix(options.suite);
    this.usersDbUri = throwawayMongoUri(`${options.suite}_users`);
    this.ordersDbUri = throwawayMongoUri(`${options.suite}_orders`);
    this.amqpUrl = requiredEnv('AMQP_URL');
    this.broker = proxies.broker;
    this.orderDb = proxies.orderDb;
    this.v1Db = proxies.v1Db;
    this.v2Db = proxies.v2Db;
    const amqpUrl = this.broker ? this.broker.rewrite(this.amqpUrl) : this.amqpUrl;
    const common = {
      AMQP_URL: amqpUrl,
      AMQP_TOPOLOGY_PREFIX: this.prefix,
      LOG_LEVEL: 'warn',
      OUTBOX_SWEEP_INTERVAL_MS: '200',
      PUBLISH_TIMEOUT_MS: '1000',
      ...options.env,
    };
    this.v1 = new ServiceProcess({
      app: 'user-v1',
      env: { ...common, MONGO_URI: this.v1Db?.rewrite(this.usersDbUri) ?? this.usersDbUri },
    });
    this.v2 = new ServiceProcess({
      app: 'user-v2',
      env: { ...common, MONGO_URI: this.v2Db?.rewrite(this.usersDbUri) ?? this.usersDbUri },
    });
    this.order = new ServiceProcess({
      app: 'order',
      env: {
        ...common,
        MONGO_URI: this.orderDb ? this.orderDb.rewrite(this.ordersDbUri) : this.ordersDbUri,
      },
    });
  }

  /** Builds the stack; call start() next, and stop() in afterAll whatever happened. */
  static async create(options: ServiceStackOptions): Promise<ServiceStack> {
    const broker = options.brokerProxy
      ? await TcpProxy.start(targetOf(requiredEnv('AMQP_URL'), 5672))
      : undefined;
    const database = targetOf(requiredEnv('MONGO_URI'), 27017);
    const orderDb = options.orderDbProxy ? await TcpProxy.start(database) : undefined;
    const v1Db = options.userDbProxies ? await TcpProxy.start(database) : undefined;
    const v2Db = options.userDbProxies ? await TcpProxy.start(database) : undefined;
    return new ServiceStack(options, { broker, orderDb, v1Db, v2Db });
  }

  /**
   * Creates and starts the stack, then runs the suite's `setup` on it. When either fails, the
   * services' output is printed and the stack stopped before the failure is reported.
   */
  static async started(
    options: ServiceStackOptions,
    setup: (stack: ServiceStack) => Promise<void> = () => Promise.resolve(),
  ): Promise<ServiceStack> {
    const stack = await ServiceStack.create(options);
    try {
      await stack.start();
      await setup(stack);
      return stack;
    } catch (error) {
      stack.printOutput('output (setup failed)');
      await stack.stop();
      throw error;
    }
  }

  get services(): ServiceProcess[] {
    return [this.v1, this.v2, this.order];
  }

  /** Starts all three; they declare the topology themselves. */
  async start(): Promise<void> {
    await Promise.all(this.services.map((service) => service.start(60_000)));
  }

  printOutput(reason = 'output'): void {
    for (const service of this.services) service.printOutput(reason);
  }

  /** Kills every child, drops both databases, deletes the topology, closes the proxies. */
  async stop(): Promise<void> {
    const problems: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        problems.push(error);
      }
    };
    await Promise.all(this.services.map((service) => attempt(() => service.kill())));
    await attempt(() => this.broker?.close() ?? Promise.resolve());
    for (const proxy of [this.orderDb, this.v1Db, this.v2Db]) {
      await attempt(() => proxy?.close() ?? Promise.resolve());
    }
    await attempt(() => dropDatabases(this.usersDbUri, this.ordersDbUri));
    await attempt(() => deleteTopology(this.prefix));
    if (problems.length > 0) {
      process.stderr.write(
        `cleanup of ${this.options.suite}: ${problems.map(String).join('; ')}\n`,
      );
    }
  }
}

/**
 * Wraps a test body so that, when it fails, the services' captured output is printed before the
 * failure is reported.
 */
export function withServiceOutput(
  stack: () => ServiceStack | undefined,
  body: () => Promise<void> | void,
): () => Promise<void> {
  return withOutputOf(() => stack()?.services ?? [], body);
}
