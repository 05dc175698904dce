import { randomUUID } from 'node:crypto';
import { sameAddress, sameEmails, UserUpdated } from '@aware/contracts';
import type { OrderRecord, UserRecord, UserState } from '@aware/database';
import { eventMessageOptions, userEventsTopology } from '@aware/events';
import { userSnapshotOf } from '@aware/users';
import { ConfirmedChannel } from '../confirmed-channel';
import { OpsExit, parseFlags, type OpsCommand, type OpsContext } from '../ops-command';
import { withDatabases, type OpsDatabases } from '../ops-databases';

/** What a repair must undo before re-publishing: state that claims a version it does not hold. */
interface Unfreeze {
  /** Orders ahead of the user, or at its version with other content, as read. */
  orders: { orderId: string; userVersion: number }[];
  /** The projection's version, when it is ahead of the user or differs at the same version. */
  projectionVersion?: number;
}

interface AuditResult {
  usersChecked: number;
  ordersChecked: number;
  driftedOrders: number;
  driftedProjections: number;
  /** Users whose newest version the outbox has not published yet: in flight, not drift. */
  usersPending: number;
  /** The newest version of each user with drift: what a repair re-publishes. */
  driftedUsers: UserRecord[];
  /** Per drifted user: what blocks the re-published event from applying. */
  unfreeze: Map<string, Unfreeze>;
  /** Following orders whose userId names no user: nothing can be re-published for them. */
  orphanedOrders: number;
  /** The userIds those orders name. */
  unknownUsers: number;
}

function contentDifferences(
  held: { emails: string[]; deliveryAddress: UserRecord['deliveryAddress'] },
  user: UserRecord,
): string[] {
  return [
    ...(sameEmails(held.emails, user.emails) ? [] : ['userEmails differ']),
    ...(sameAddress(held.deliveryAddress, user.deliveryAddress) ? [] : ['deliveryAddress differs']),
  ];
}

/**
 * How an order differs from its user's newest version. Behind: the event has not reached it.
 * Ahead: it claims a version the user service never produced (a forged or foreign event), which
 * blocks every real update. At the version with other content: changed behind the sync's back,
 * unless PUT /orders/{id}/details edited it on purpose (contactEditedAt).
 */
function orderDifferences(order: OrderRecord, user: UserRecord): string[] {
  const content = contentDifferences(
    { emails: order.userEmails, deliveryAddress: order.deliveryAddress },
    user,
  );
  if (order.userVersion < user.version) {
    return [`userVersion ${order.userVersion} < ${user.version}`, ...content];
  }
  if (order.userVersion > user.version) {
    return [`userVersion ${order.userVersion} > newest ${user.version}`, ...content];
  }
  if (order.contactEditedAt || content.length === 0) return [];
  return [`userVersion ${order.userVersion} is the newest, but ${content.join(' and ')}`];
}

function projectionDifference(projection: UserState | null, user: UserRecord): string | undefined {
  if (!projection) return 'projection missing';
  if (projection.version < user.version) {
    return `projection version ${projection.version} < ${user.version}`;
  }
  if (projection.version > user.version) {
    return `projection version ${projection.version} > newest ${user.version}`;
  }
  const content = contentDifferences(projection, user);
  if (content.length > 0)
    return `projection at version ${user.version}, but ${content.join(' and ')}`;
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
    unfreeze: new Map(),
    orphanedOrders: 0,
    unknownUsers: 0,
  };
  const seenUsers = new Set<string>();
  for await (const user of repositories.users.newestVersions()) {
    result.usersChecked += 1;
    seenUsers.add(user.userId);
    if (!user.published) {
      result.usersPending += 1;
      output.log(
        `drift:audit: user ${user.userId}: version ${user.version} not yet published by the ` +
          'outbox; skipped',
      );
      continue;
    }
    let drifted = false;
    const unfreeze: Unfreeze = { orders: [] };
    const followers = await repositories.orders.followersOf(user.userId, config.orderSyncStatuses);
    for (const order of followers) {
      result.ordersChecked += 1;
      const differences = orderDifferences(order, user);
      if (differences.length === 0) continue;
      drifted = true;
      result.driftedOrders += 1;
      if (order.userVersion >= user.version) {
        unfreeze.orders.push({ orderId: order.orderId, userVersion: order.userVersion });
      }
      output.log(`drift: order ${order.orderId} user ${user.userId}: ${differences.join(', ')}`);
    }
    const projection = await repositories.projections.find(user.userId);
    const projectionDrift = projectionDifference(projection, user);
    if (projectionDrift) {
      drifted = true;
      result.driftedProjections += 1;
      if (projection && projection.version >= user.version) {
        unfreeze.projectionVersion = projection.version;
      }
      output.log(`drift: user ${user.userId}: ${projectionDrift}`);
    }
    if (drifted) {
      result.driftedUsers.push(user);
      result.unfreeze.set(user.userId, unfreeze);
    }
  }
  await auditOrphans(repositories, config, seenUsers, result, output);
  return result;
}

/**
 * Following orders whose userId names no user (an order created for, or rewritten by a forged
 * event to, a user that never existed): the loop over users never reaches them. A user created
 * while the audit ran is looked up once more before its orders count.
 */
async function auditOrphans(
  repositories: OpsDatabases['repositories'],
  config: OpsContext['config'],
  seenUsers: ReadonlySet<string>,
  result: AuditResult,
  output: OpsContext['output'],
): Promise<void> {
  for (const userId of await repositories.orders.followedUserIds(config.orderSyncStatuses)) {
    if (seenUsers.has(userId) || (await repositories.users.findByUserId(userId))) continue;
    const orphans = await repositories.orders.followersOf(userId, config.orderSyncStatuses);
    if (orphans.length === 0) continue;
    result.unknownUsers += 1;
    for (const order of orphans) {
      result.ordersChecked += 1;
      result.orphanedOrders += 1;
      output.log(`drift: order ${order.orderId} user ${userId}: no such user`);
    }
  }
}

/**
 * Orders and projections that claim a version they do not hold would ignore the re-published
 * event (it is not newer): their version is reset first, each only if it is still what the
 * audit read, so an event applied meanwhile is not undone. Returns how many were reset.
 */
async function unfreezeDrifted(
  { repositories }: OpsDatabases,
  unfreeze: Map<string, Unfreeze>,
): Promise<number> {
  let reset = 0;
  for (const [userId, blocked] of unfreeze) {
    for (const order of blocked.orders) {
      if (await repositories.orders.resetUserVersion(order.orderId, order.userVersion)) reset += 1;
    }
    if (blocked.projectionVersion !== undefined) {
      await repositories.projections.removeIfVersion(userId, blocked.projectionVersion);
      reset += 1;
    }
  }
  return reset;
}

/**
 * The user's newest state as a fresh `user.updated` event. The consumer applies it only where
 * orders or the projection are older, so re-publishing is safe however often it runs.
 */
function repairEvent(user: UserRecord): UserUpdated {
  return UserUpdated.envelope(userSnapshotOf(user), user.event.producer);
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
          ...eventMessageOptions(event),
          correlationId,
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

async function auditDrift(context: OpsContext, repair: boolean): Promise<OpsExit> {
  const { config, output } = context;
  const result = await withDatabases(config, (databases) => audit(databases, context));
  output.log(
    `drift:audit: checked ${result.usersChecked} users and ${result.ordersChecked} orders that ` +
      `follow them (${config.orderSyncStatuses.join(', ')}); drifted: ${result.driftedOrders} ` +
      `orders, ${result.driftedProjections} projections, of ${result.driftedUsers.length} users` +
      (result.usersPending > 0 ? `; ${result.usersPending} users pending in the outbox` : '') +
      (result.orphanedOrders > 0
        ? `; ${result.orphanedOrders} orders name no user (${result.unknownUsers} unknown users)`
        : ''),
  );
  if (result.driftedUsers.length === 0 && result.orphanedOrders === 0) return OpsExit.Done;
  if (!repair) return OpsExit.DriftFound;
  await repairDrifted(result, context);
  if (result.orphanedOrders === 0) return OpsExit.Done;
  // No event can carry a user that does not exist; an operator decides what these orders become.
  output.log(
    `drift:audit: ${result.orphanedOrders} orders name no user; --repair cannot re-publish a ` +
      'user that does not exist and left them unchanged',
  );
  return OpsExit.DriftFound;
}

async function repairDrifted(result: AuditResult, context: OpsContext): Promise<void> {
  const { config, output } = context;
  if (result.driftedUsers.length === 0) return;
  const unfrozen = await withDatabases(config, (databases) =>
    unfreezeDrifted(databases, result.unfreeze),
  );
  if (unfrozen > 0) {
    output.log(`drift:audit: reset ${unfrozen} orders and projections to take the repair`);
  }
  await republish(result.driftedUsers, context);
  output.log(`drift:audit: re-published the newest state of ${result.driftedUsers.length} users`);
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
