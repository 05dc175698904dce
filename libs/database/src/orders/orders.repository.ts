import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { FilterQuery, Model } from 'mongoose';
import type { OrderStatus } from '@aware/contracts';
import { FAN_OUT_TIMEOUT_MS } from '../database.module';
import { insertUnlessDuplicate } from '../mongo-errors';
import { insertRecord } from '../record-inserts';
import { Order } from './order.schema';

/** An order as the services build and read it; its key (`_id`) is the repository's business. */
export type OrderRecord = Omit<Order, '_id'>;
export type OrderDetailsChanges = Partial<Pick<Order, 'userEmails' | 'deliveryAddress'>> &
  Pick<Order, 'updatedAt'>;

interface OrderFilter {
  orderStatus?: OrderStatus;
  userId?: string;
}

/** Where a page of orders ends: the next page starts strictly after it. */
export interface OrderPosition {
  createdAt: Date;
  orderId: string;
}

const PUBLIC_FIELDS = { _id: 0 } as const;
/** The listing order; orderId breaks ties between orders created in the same millisecond. */
const LIST_SORT = { createdAt: 1, orderId: 1 } as const;

/**
 * An order as stored: keyed by its orderId, so a second insert of it is a duplicate key. Every
 * query still names orders by `orderId` (an index lookup): orders stored before orders were keyed
 * by their orderId have an ObjectId `_id`, and are read, listed and updated like the others.
 */
function stored(order: OrderRecord): Order {
  return { ...order, _id: order.orderId };
}

/** The only code that touches the orders collection. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectModel(Order.name) private readonly orders: Model<Order>) {}

  async insert(order: OrderRecord): Promise<OrderRecord> {
    await insertRecord(this.orders, stored(order));
    return order;
  }

  /**
   * Inserts the order unless one with its orderId exists; false when it was already there. The
   * lookup by orderId also finds the order stored under an ObjectId `_id` before orders were
   * keyed by their orderId (a seed or a keyed create written by the older release, re-run); the
   * `_id` settles races between two inserts of the order.
   */
  async insertIfAbsent(order: OrderRecord): Promise<boolean> {
    if (await this.exists(order.orderId)) return false;
    return insertUnlessDuplicate(() => insertRecord(this.orders, stored(order)));
  }

  async exists(orderId: string): Promise<boolean> {
    return (await this.orders.exists({ orderId }).exec()) !== null;
  }

  findByOrderId(orderId: string): Promise<OrderRecord | null> {
    return this.orders.findOne({ orderId }, PUBLIC_FIELDS).lean<OrderRecord>().exec();
  }

  /** Up to `limit` orders matching `filter`, in (createdAt, orderId) order, after `after`. */
  list(
    filter: OrderFilter,
    after: OrderPosition | undefined,
    limit: number,
  ): Promise<OrderRecord[]> {
    // Only the criteria that were given: an undefined value would be sent as null and match.
    const query: FilterQuery<Order> = {
      ...(filter.orderStatus !== undefined && { orderStatus: filter.orderStatus }),
      ...(filter.userId !== undefined && { userId: filter.userId }),
      // Strictly after `after` in (createdAt, orderId) order. The plain createdAt bound lets
      // MongoDB scan one range of the (…, createdAt, orderId) index instead of one per clause.
      ...(after && {
        createdAt: { $gte: after.createdAt },
        $or: [{ createdAt: { $gt: after.createdAt } }, { orderId: { $gt: after.orderId } }],
      }),
    };
    return (
      this.orders
        .find(query, PUBLIC_FIELDS)
        .sort(LIST_SORT)
        .limit(limit)
        // One reply and no server cursor: a page is all the caller reads. FerretDB 2 otherwise
        // runs the query as a cursor, which costs a page 45–80 ms instead of 5–17 ms. The batch
        // size is the page's: a single batch otherwise stops at the server's default of 101.
        .setOptions({ singleBatch: true, batchSize: limit })
        .lean<OrderRecord[]>()
        .exec()
    );
  }

  /**
   * Copies a user's newest synced fields onto the orders that follow the user (status in
   * `statuses`) and still reflect an older version. One updateMany: duplicates and stale events
   * match nothing. Returns how many orders changed.
   */
  async applyUserState(
    state: {
      userId: string;
      version: number;
      emails: string[];
      deliveryAddress: Order['deliveryAddress'];
    },
    statuses: readonly OrderStatus[],
    now: Date,
  ): Promise<number> {
    const result = await this.orders
      .updateMany(
        {
          userId: state.userId,
          userVersion: { $lt: state.version },
          orderStatus: { $in: statuses },
        },
        {
          $set: {
            userEmails: state.emails,
            deliveryAddress: state.deliveryAddress,
            userVersion: state.version,
            updatedAt: now,
          },
          $unset: { contactEditedAt: 1 },
        },
      )
      // A user with many open orders takes longer than the usual operation deadline.
      .setOptions({ timeoutMS: FAN_OUT_TIMEOUT_MS })
      .exec();
    return result.modifiedCount;
  }

  /**
   * Makes an order take the next user event again (drift repair of an order that claims a
   * version it does not hold), unless its version moved since it was read.
   */
  async resetUserVersion(orderId: string, observedVersion: number): Promise<boolean> {
    const result = await this.orders
      .updateOne({ orderId, userVersion: observedVersion }, { $set: { userVersion: 0 } })
      .exec();
    return result.modifiedCount === 1;
  }

  /** Every userId that some order in `statuses` names, for the drift audit's orphan check. */
  async followedUserIds(statuses: readonly OrderStatus[]): Promise<string[]> {
    const ids: unknown[] = await this.orders
      .distinct('userId', { orderStatus: { $in: statuses } })
      .exec();
    return ids.filter((id): id is string => typeof id === 'string');
  }

  /** Orders that follow a user, with what they carry, for the drift audit. */
  followersOf(userId: string, statuses: readonly OrderStatus[]): Promise<OrderRecord[]> {
    return this.orders
      .find({ userId, orderStatus: { $in: statuses } }, PUBLIC_FIELDS)
      .lean<OrderRecord[]>()
      .exec();
  }

  /** Moves the status only if it is still `from`; null when another write changed it first. */
  updateStatusIfCurrent(
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    now: Date,
  ): Promise<OrderRecord | null> {
    return this.orders
      .findOneAndUpdate(
        { orderId, orderStatus: from },
        { $set: { orderStatus: to, updatedAt: now } },
        // [engine-note: find-and-modify-projection]
        // No projection: FerretDB's findAndModify does not support one; callers map fields.
        { new: true },
      )
      .lean<OrderRecord>()
      .exec();
  }

  /** Applies `changes` unless the order is delivered (or missing); null when it was not applied. */
  updateDetailsUnlessDelivered(
    orderId: string,
    changes: OrderDetailsChanges,
  ): Promise<OrderRecord | null> {
    return this.orders
      .findOneAndUpdate(
        { orderId, orderStatus: { $ne: 'delivered' } },
        { $set: { ...changes, contactEditedAt: changes.updatedAt } },
        // [engine-note: find-and-modify-projection]
        // No projection: FerretDB's findAndModify does not support one; callers map fields.
        { new: true },
      )
      .lean<OrderRecord>()
      .exec();
  }
}
