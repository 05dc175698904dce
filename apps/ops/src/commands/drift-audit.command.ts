import { randomUUID } from 'node:crypto';
import { sameAddress, sameEmails, type UserEvent } from '@aware/contracts';
import type { OrderRecord, UserRecord, UserState } from '@aware/database';
import { toUserEvent, userEventsTopology } from '@aware/events';
import { ConfirmedChannel } from '../confirmed-channel';
import { ExitCode, parseFlags, type OpsCommand, type OpsContext } from '../ops-command';
import { withDatabases, type OpsDatabases } from '../ops-databases';

interface AuditResult {
  usersChecked: number;
  ordersChecked: number;
  driftedOrders: number;
  driftedProjections: number;
  /** Users whose newest version the outbox has not published yet: in flight, not drift. */
  usersPending: number;
  /** The newest version of each user with drift: what a repair re-publishes. */
  driftedUsers: UserRecord[];
}

/**
 * An order drifts when it reflects an older user version than the newest one. Orders at the
 * newest version whose fields differ were edited through PUT /orders/{id}/details on purpose:
 * not drift, and a re-published event would (rightly) not touch them.
 */
function orderDifferences(order: OrderRecord, user: UserRecord): string[] {
  if (order.userVersion >= user.version) return [];
  return [
    `userVersion ${order.userVersion} < ${user.version}`,
    ...(sameEmails(order.userEmails, user.emails) ? [] : ['userEmails differ']),
    ...(sameAddress(order.deliveryAddress, user.deliveryAddress)
      ? []
      : ['deliveryAddress differs']),
  ];
}

function projectionDifference(projection: UserState | null, user: UserRecord): string | undefined {
  if (!projection) return 'projection missing';
  if (projection.version < user.version) {
    return `projection version ${projection.version} < ${user.version}`;
  }
  return undefined;
}

/** Compares each user's newest version with its projection and the orders that follow it. */
async function audit(
  { repositories }: OpsDatabases,
  { config, output }: OpsContext,
): Promise<AuditResult> {
  const result: AuditResult = {
    usersChecked: 0,
    ordersChecked: 0,
    driftedOrders: 0,
    driftedProjections: 0,
    usersPending: 0,
    driftedUsers: [],
  };
  for await (const user of repositories.users.newestVersions()) {
    result.usersChecked += 1;
    if (!user.published) {
      result.usersPending += 1;
      output.log(
        `drift:audit: user ${user.userId}: version ${user.version} not yet published by the ` +
          'outbox; skipped',
      );
      continue;
    }
    let drifted = false;
    const followers = await repositories.orders.followersOf(user.userId, config.orderSyncStatuses);
    for (const order of followers) {
      result.ordersChecked += 1;
      const differences = orderDifferences(order, user);
      if (differences.length === 0) continue;
      drifted = true;
      result.driftedOrders += 1;
      output.log(`drift: order ${order.orderId} user ${user.userId}: ${differences.join(', ')}`);
    }
    const projection = await repositories.projections.find(user.userId);
    const projectionDrift = projectionDifference(projection, user);
    if (projectionDrift) {
      drifted = true;
      result.driftedProjections += 1;
      output.log(`drift: user ${user.userId}: ${projectionDrift}`);
    }
    if (drifted) result.driftedUsers.push(user);
  }
  return result;
}

/**
 * The user's newest state as a fresh `user.updated` event. The consumer applies it only where
 * orders or the projection are older, so re-publishing is safe however often it runs.
 */
function repairEvent(user: UserRecord): UserEvent {
  return {
    ...toUserEvent(user),
    eventId: randomUUID(),
    type: 'user.updated',
    occurredAt: new Date().toISOString(),
  };
}

/** Re-publishes the newest state of each user with confirms; fails if any reaches no queue. */
async function republish(users: readonly UserRecord[], { config }: OpsContext): Promise<void> {
  const exchange = userEventsTopology(config.topologyPrefix).exchange;
  const broker = await ConfirmedChannel.open(config.amqpUrl);
  // One id for the whole run, standing in for the request id the user services send.
  const correlationId = `drift-repair-${randomUUID()}`;
  try {
    await broker.requireExchange(exchange);
    for (const [index, user] of users.entries()) {
      const event = repairEvent(user);
      const outcome = await broker.publish(
        exchange,
        event.type,
        Buffer.from(JSON.stringify(event)),
        {
          persistent: true,
          contentType: 'application/json',
          messageId: event.eventId,
          correlationId,
          type: event.type,
          appId: event.producer,
          timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
        },
      );
      if (outcome === 'unroutable') {
        throw new Error(
          `the event for user ${user.userId} reaches no queue on ${exchange} (is the order ` +
            `service's queue declared?); ${index} of ${users.length} users ` +
            're-published before it',
        );
      }
    }
  } finally {
    await broker.close();
  }
}

async function auditDrift(context: OpsContext, repair: boolean): Promise<ExitCode> {
  const { config, output } = context;
  const result = await withDatabases(config, (databases) => audit(databases, context));
  output.log(
    `drift:audit: checked ${result.usersChecked} users and ${result.ordersChecked} orders that ` +
      `follow them (${config.orderSyncStatuses.join(', ')}); drifted: ${result.driftedOrders} ` +
      `orders, ${result.driftedProjections} projections, of ${result.driftedUsers.length} users` +
      (result.usersPending > 0 ? `; ${result.usersPending} users pending in the outbox` : ''),
  );
  if (result.driftedUsers.length === 0) return ExitCode.ok;
  if (!repair) return ExitCode.driftFound;
  await republish(result.driftedUsers, context);
  output.log(`drift:audit: re-published the newest state of ${result.driftedUsers.length} users`);
  return ExitCode.ok;
}

export const driftAuditCommand: OpsCommand = {
  name: 'drift:audit',
  synopsis: '[--repair]',
  description: 'compare users with their orders; --repair re-publishes',
  parse(args) {
    const flags = parseFlags(args, { repair: { type: 'boolean', default: false } });
    return (context) => auditDrift(context, flags.repair);
  },
};
