import { ORDER_STATUSES, totalPriceOf, type Address } from '@aware/contracts';
import type { OrderItemDocument } from '../orders/order.schema';
import type { OrderRecord } from '../orders/orders.repository';
import type { UserRecord } from '../users/users.repository';

/**
 * Fixed, recognisable UUID v4s (`5eed000<kind>-…`): re-running the seed finds its own rows by
 * key and inserts nothing twice.
 */
function seedUuid(kind: 'user' | 'event' | 'order', n: number): string {
  const kindDigit = { user: 1, event: 2, order: 3 }[kind];
  return `5eed000${kindDigit}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

interface SeedPerson {
  firstName: string;
  lastName: string;
  emails: string[];
  deliveryAddress: Address;
  phoneNumber: string;
}

const PEOPLE: readonly SeedPerson[] = [
  {
    firstName: 'Ada',
    lastName: 'Lovelace',
    emails: ['ada.lovelace@example.com'],
    deliveryAddress: {
      street: '1 Main St',
      city: 'Springfield',
      state: 'IL',
      postalCode: '62701',
      country: 'US',
    },
    phoneNumber: '2175550101',
  },
  {
    firstName: 'Alan',
    lastName: 'Turing',
    emails: ['alan.turing@example.com', 'turing@example.org'],
    deliveryAddress: {
      street: '78 High St',
      city: 'Cambridge',
      state: 'Cambridgeshire',
      postalCode: 'CB2 1TN',
      country: 'GB',
    },
    phoneNumber: '441223555010',
  },
  {
    firstName: 'Grace',
    lastName: 'Hopper',
    emails: ['grace.hopper@example.com'],
    deliveryAddress: {
      street: '200 Navy Way',
      city: 'Arlington',
      state: 'VA',
      postalCode: '22202',
      country: 'US',
    },
    phoneNumber: '7035550142',
  },
  {
    firstName: 'Katherine',
    lastName: 'Johnson',
    emails: ['katherine.johnson@example.com'],
    deliveryAddress: {
      street: '21 Langley Blvd',
      city: 'Hampton',
      state: 'VA',
      postalCode: '23681',
      country: 'US',
    },
    phoneNumber: '7575550123',
  },
  {
    firstName: 'Edsger',
    lastName: 'Dijkstra',
    emails: ['edsger.dijkstra@example.com', 'ewd@example.net'],
    deliveryAddress: {
      street: '5 Prinsengracht',
      city: 'Amsterdam',
      state: 'North Holland',
      postalCode: '1015 DV',
      country: 'NL',
    },
    phoneNumber: '31205550199',
  },
];

/** Unit prices with cents, including 0.10, whose float sums are not exact. */
const CATALOG: readonly Pick<OrderItemDocument, 'itemId' | 'price'>[] = [
  { itemId: 'sku-notebook', price: 4.99 },
  { itemId: 'sku-cable', price: 0.1 },
  { itemId: 'sku-mug', price: 12.5 },
  { itemId: 'sku-lamp', price: 39.99 },
  { itemId: 'sku-pen', price: 1.25 },
  { itemId: 'sku-headphones', price: 89.95 },
  { itemId: 'sku-chair', price: 149 },
];

const ORDER_COUNT = 15;

/**
 * The sample users (seeded by db:seed, docs/operations.md), as version 1 of each. `published: true`:
 * seed data is loaded, not announced, so the outbox relays leave it alone.
 */
export const SEED_USERS: readonly UserRecord[] = PEOPLE.map((person, index) => {
  const createdAt = new Date(Date.UTC(2024, 0, index + 1, 9));
  return {
    userId: seedUuid('user', index + 1),
    version: 1,
    ...person,
    emails: [...person.emails],
    deliveryAddress: { ...person.deliveryAddress },
    createdAt,
    updatedAt: createdAt,
    event: {
      eventId: seedUuid('event', index + 1),
      type: 'user.created',
      occurredAt: createdAt,
      producer: 'user-v1',
    },
    published: true,
  };
});

/**
 * 15 orders, three per user, following version 1 of their user. Each user gets one order in
 * each status; orders carry 1, 2 or 3 items.
 */
export const SEED_ORDERS: readonly OrderRecord[] = Array.from({ length: ORDER_COUNT }, (_, i) => {
  const user = SEED_USERS[i % SEED_USERS.length];
  const itemCount = Math.floor(i / SEED_USERS.length) + 1;
  const items = Array.from({ length: itemCount }, (_, j) => ({
    ...CATALOG[(i + j * 3) % CATALOG.length],
    quantity: ((i + j) % 3) + 1,
  }));
  const createdAt = new Date(Date.UTC(2024, 1, 1, i));
  return {
    orderId: seedUuid('order', i + 1),
    userId: user.userId,
    items,
    totalPrice: totalPriceOf(items),
    userEmails: [...user.emails],
    deliveryAddress: { ...user.deliveryAddress },
    orderStatus: ORDER_STATUSES[i % ORDER_STATUSES.length],
    userVersion: user.version,
    createdAt,
    updatedAt: createdAt,
  };
});
