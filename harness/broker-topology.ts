import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { userEventsTopology } from '@aware/events';

/** A topology prefix unique to one suite, so suites share the broker without seeing each other. */
export function throwawayTopologyPrefix(suite: string): string {
  return `t-${suite.replace(/[^A-Za-z0-9]/g, '-').slice(0, 20)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Removes the exchanges and queues of one topology prefix (a suite's, a bench run's) from the
 * shared broker; the broker is AMQP_URL's unless given (`npm test` sets it for the suites).
 */
export async function deleteTopology(
  prefix: string,
  amqpUrl = process.env.AMQP_URL,
): Promise<void> {
  if (!amqpUrl) throw new Error('AMQP_URL is not set: run the tests with `npm test`.');
  const topology = userEventsTopology(`${prefix}.`);
  const connection = await connect(amqpUrl);
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
