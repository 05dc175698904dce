import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type GetMessage,
} from 'amqplib';
import mongoose, { type Connection } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  topologyExchanges,
  topologyQueues,
  userEventsTopology,
  type UserEventsTopology,
} from '@aware/events';
import { deleteTopology, throwawayTopologyPrefix } from '@aware/harness';
import { requiredEnv, throwawayMongoUri } from '../../../test/support/infra';
import type { OpsExit, OpsOutput } from '../src/ops-command';
import { runOpsCommand } from '../src/ops-cli';

interface OpsRun {
  code: OpsExit;
  stdout: string[];
  stderr: string[];
}

/** Throwaway databases and topology prefix for one suite, and the env that points ops at them. */
export interface OpsTestEnv {
  env: Record<string, string>;
  topology: UserEventsTopology;
  /** Runs `node dist/apps/ops/main.js <argv>` in-process, collecting its output lines. */
  run(argv: string[], env?: Record<string, string>): Promise<OpsRun>;
  /** Connections to the throwaway users and orders databases, for checking what ops wrote. */
  databases(): Promise<{ users: Connection; orders: Connection }>;
  /** Declares the user-events topology as the services do at start. */
  declareTopology(): Promise<void>;
  /** Channels on the test broker, closed by cleanup(). */
  channel(): Promise<Channel>;
  confirmChannel(): Promise<ConfirmChannel>;
  /** Drops the databases, deletes the topology if it was declared, closes connections. */
  cleanup(): Promise<void>;
}

export function opsTestEnv(suite: string): OpsTestEnv {
  const prefix = throwawayTopologyPrefix(suite);
  const env = {
    USERS_MONGO_URI: throwawayMongoUri(`${suite}_users`),
    ORDERS_MONGO_URI: throwawayMongoUri(`${suite}_orders`),
    AMQP_URL: requiredEnv('AMQP_URL'),
    AMQP_TOPOLOGY_PREFIX: prefix,
  };
  let connections: Promise<{ users: Connection; orders: Connection }> | undefined;
  let broker: Promise<ChannelModel> | undefined;
  let declared = false;

  const openBroker = (): Promise<ChannelModel> => (broker ??= connect(env.AMQP_URL));
  const databases = (): Promise<{ users: Connection; orders: Connection }> =>
    (connections ??= Promise.all([
      mongoose.createConnection(env.USERS_MONGO_URI).asPromise(),
      mongoose.createConnection(env.ORDERS_MONGO_URI).asPromise(),
    ]).then(([users, orders]) => ({ users, orders })));

  return {
    env,
    topology: userEventsTopology(`${prefix}.`),
    async run(argv, overrides = {}) {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const output: OpsOutput = {
        log: (line) => stdout.push(line),
        warn: (line) => stderr.push(line),
      };
      const code = await runOpsCommand(argv, { ...env, ...overrides }, output);
      return { code, stdout, stderr };
    },
    databases,
    async declareTopology() {
      const channel = await (await openBroker()).createChannel();
      const topology = userEventsTopology(`${prefix}.`);
      for (const exchange of topologyExchanges(topology)) {
        await channel.assertExchange(exchange.name, exchange.type ?? 'topic', exchange.options);
      }
      // The delivery limit only matters to a consumer; none runs here.
      for (const queue of topologyQueues(topology, 10)) {
        await channel.assertQueue(queue.name, queue.options);
        if (queue.exchange && typeof queue.routingKey === 'string') {
          await channel.bindQueue(queue.name, queue.exchange, queue.routingKey);
        }
      }
      await channel.close();
      declared = true;
    },
    async channel() {
      return (await openBroker()).createChannel();
    },
    async confirmChannel() {
      return (await openBroker()).createConfirmChannel();
    },
    async cleanup() {
      const { users, orders } = await databases();
      await Promise.all([users.dropDatabase(), orders.dropDatabase()]);
      await Promise.all([users.close(), orders.close()]);
      if (broker) await (await broker).close();
      if (declared) await deleteTopology(prefix);
    },
  };
}

/** Takes up to `count` messages from `queue`, waiting briefly for them to arrive. */
export async function takeMessages(
  channel: Channel,
  queue: string,
  count: number,
): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  for (let attempt = 0; taken.length < count && attempt < 50; attempt += 1) {
    const message = await channel.get(queue, { noAck: true });
    if (message) taken.push(message);
    else await sleep(20);
  }
  return taken;
}
