import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { userEventsTopology } from '@aware/events';
import { requiredEnv } from './infra';

/** A topology prefix unique to one suite, so suites share the broker without seeing each other. */
export function throwawayTopologyPrefix(suite: string): string {
  return `t-${suite.replace(/[^A-Za-z0-9]/g, '-').slice(0, 20)}-${randomBytes(4).toString('hex')}`;
}

/** Removes a suite's exchanges and queues from the shared broker. */
export async function deleteTopology(prefix: string): Promise<void> {
  const topology = userEventsTopology(`${prefix}.`);
  const connection = await connect(requiredEnv('AMQP_URL'));
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(topology.queue);
    await channel.deleteQueue(topology.deadLetterQueue);
    await channel.deleteExchange(topology.exchange);
    await channel.deleteExchange(topology.deadLetterExchange);
    await channel.close();
  } finally {
    await connection.close();
  }
}
