import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  NotFoundProblem,
  RequestValidationException,
  requireAnyField,
  type CreateAnswer,
  type IdempotentRequest,
} from '@aware/common';
import {
  DEFAULT_PAGE_SIZE,
  isForwardTransition,
  sameAddress,
  sameEmails,
  toAddress,
  totalPriceOf,
  type CreateOrderDto,
  type ListOrdersQueryDto,
  type OrderDto,
  type OrderStatus,
  type UpdateOrderDetailsDto,
} from '@aware/contracts';
import {
  IdempotentCreates,
  OrdersRepository,
  UserProjectionsRepository,
  type OrderDetailsChanges,
  type OrderRecord,
} from '@aware/database';
import { OrderLocks } from './order-locks';
import { decodeCursor, encodeCursor } from './order-cursor';
import { InvalidStatusTransitionProblem, OrderDeliveredProblem } from './order-problems';
import { toOrderDto } from './order-response';

/** One page of GET /orders and, when more orders follow, the cursor of the next page. */
interface OrderPage {
  orders: OrderDto[];
  nextCursor?: string;
}

type OrderContact = Pick<OrderRecord, 'userEmails' | 'deliveryAddress' | 'userVersion'>;

/** Whether a new order brings both contact fields, so nothing is filled from its user. */
function bringsContact(
  dto: CreateOrderDto,
): dto is CreateOrderDto & Required<Pick<CreateOrderDto, 'userEmails' | 'deliveryAddress'>> {
  return dto.userEmails !== undefined && dto.deliveryAddress !== undefined;
}

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly projections: UserProjectionsRepository,
    private readonly locks: OrderLocks,
    private readonly idempotentCreates: IdempotentCreates,
  ) {}

  /**
   * An order filled from a user's state is written under that user's lock: a user event is then
   * applied either before (the order copies the new state) or after (the event updates the
   * order). One that brings both contact fields reads nothing and needs no lock (contactFor).
   * With an Idempotency-Key, at most one order per key and API client: a retry answers the first
   * order again (docs/api.md, "Safe retries").
   */
  create(dto: CreateOrderDto, idempotency?: IdempotentRequest): Promise<CreateAnswer<OrderDto>> {
    return dto.userId && !bringsContact(dto)
      ? this.locks.forUser(dto.userId, () => this.insert(dto, idempotency))
      : this.insert(dto, idempotency);
  }

  private async insert(
    dto: CreateOrderDto,
    idempotency: IdempotentRequest | undefined,
  ): Promise<CreateAnswer<OrderDto>> {
    const contact = await this.contactFor(dto);
    const now = new Date();
    const record: OrderRecord = {
      orderId: randomUUID(),
      ...(dto.userId !== undefined && { userId: dto.userId }),
      items: dto.items.map(({ itemId, quantity, price }) => ({ itemId, quantity, price })),
      totalPrice: totalPriceOf(dto.items),
      ...contact,
      orderStatus: dto.orderStatus ?? 'under process',
      createdAt: now,
      updatedAt: now,
    };
    if (!idempotency) {
      await this.orders.insert(record);
      return { resource: toOrderDto(record), replayed: false };
    }
    // A retry that finishes a first request's write stores the order as that request built it;
    // if a user event came in between, it carries an older userVersion, so the user's next event
    // (or the drift audit) brings it up to date.
    const outcome = await this.idempotentCreates.create(idempotency, {
      resourceId: record.orderId,
      resource: record,
      write: (order) => this.orders.insertIfAbsent(order),
      exists: (orderId) => this.orders.exists(orderId),
    });
    return { resource: toOrderDto(outcome.resource), replayed: outcome.replayed };
  }

  async get(orderId: string): Promise<OrderDto> {
    return toOrderDto(await this.load(orderId));
  }

  async list(query: ListOrdersQueryDto): Promise<OrderPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.after === undefined ? undefined : decodeCursor(query.after);
    // One order more than the page tells whether a next page exists, without counting.
    const found = await this.orders.list(
      { orderStatus: query.status, userId: query.userId },
      after,
      limit + 1,
    );
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      orders: page.map(toOrderDto),
      ...(found.length > limit && last && { nextCursor: encodeCursor(last) }),
    };
  }

  async updateStatus(orderId: string, to: OrderStatus): Promise<OrderDto> {
    const order = await this.load(orderId);
    return this.locks.forOwner(order, () => this.moveStatus(orderId, to));
  }

  async updateDetails(orderId: string, dto: UpdateOrderDetailsDto): Promise<OrderDto> {
    requireAnyField(dto, ['userEmails', 'deliveryAddress']);
    const order = await this.load(orderId);
    return this.locks.forOwner(order, () => this.changeDetails(orderId, dto));
  }

  private async moveStatus(orderId: string, to: OrderStatus): Promise<OrderDto> {
    // The write is conditional on the status just read. Losing that race means the status moved
    // forward, which it can do at most twice, so this loop ends.
    for (;;) {
      const current = await this.load(orderId);
      if (current.orderStatus === to) return toOrderDto(current);
      if (!isForwardTransition(current.orderStatus, to)) {
        throw new InvalidStatusTransitionProblem(orderId, current.orderStatus, to);
      }
      const updated = await this.orders.updateStatusIfCurrent(
        orderId,
        current.orderStatus,
        to,
        new Date(),
      );
      if (updated) return toOrderDto(updated);
    }
  }

  private async changeDetails(orderId: string, dto: UpdateOrderDetailsDto): Promise<OrderDto> {
    const current = await this.load(orderId);
    if (current.orderStatus === 'delivered') throw new OrderDeliveredProblem(orderId);

    // Only the fields sent are written, so a user event applied meanwhile keeps the other one.
    // userVersion stays: replays of the user version already applied do not undo this edit,
    // while the user's next change still reaches the order.
    const userEmails = dto.userEmails;
    const deliveryAddress = dto.deliveryAddress && toAddress(dto.deliveryAddress);
    const unchanged =
      (userEmails === undefined || sameEmails(userEmails, current.userEmails)) &&
      (deliveryAddress === undefined || sameAddress(deliveryAddress, current.deliveryAddress));
    if (unchanged) return toOrderDto(current);

    const changes: OrderDetailsChanges = {
      ...(userEmails !== undefined && { userEmails }),
      ...(deliveryAddress !== undefined && { deliveryAddress }),
      updatedAt: new Date(),
    };
    const updated = await this.orders.updateDetailsUnlessDelivered(orderId, changes);
    // Orders are never deleted: a miss means the order was delivered since it was read.
    if (!updated) throw new OrderDeliveredProblem(orderId);
    return toOrderDto(updated);
  }

  /**
   * The contact fields a new order carries (docs/api.md): missing ones are filled from the latest
   * state of a user known from events, and the order then reflects that user version.
   */
  private async contactFor(dto: CreateOrderDto): Promise<OrderContact> {
    if (bringsContact(dto)) {
      // The request's fields, superseded by any event about the user (version 0): whatever the
      // projection holds would not be used, so it is not read.
      return {
        userEmails: [...dto.userEmails],
        deliveryAddress: toAddress(dto.deliveryAddress),
        userVersion: 0,
      };
    }
    const known = dto.userId ? await this.projections.find(dto.userId) : null;
    const userEmails = dto.userEmails ?? known?.emails;
    const deliveryAddress = dto.deliveryAddress ?? known?.deliveryAddress;
    if (userEmails === undefined || deliveryAddress === undefined) {
      const missing = [
        ...(userEmails === undefined ? ['userEmails'] : []),
        ...(deliveryAddress === undefined ? ['deliveryAddress'] : []),
      ];
      throw new RequestValidationException(
        missing.map((field) => ({
          field,
          message: `${field} is required unless userId names a user known to the order service`,
        })),
        `Missing ${missing.join(' and ')}.`,
      );
    }
    return {
      userEmails: [...userEmails],
      deliveryAddress: toAddress(deliveryAddress),
      // Filled from the user (without one, a missing field was refused above): the order
      // reflects that version.
      userVersion: known?.version ?? 0,
    };
  }

  private async load(orderId: string): Promise<OrderRecord> {
    const order = await this.orders.findByOrderId(orderId);
    if (!order) throw new NotFoundProblem(`Order ${orderId} not found.`);
    return order;
  }
}
