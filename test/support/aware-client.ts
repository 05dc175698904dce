import type { Address } from '@aware/contracts';
import { anAddress, uniqueEmail } from './fixtures';
import { eventually, expectStatus, http } from './http';

export interface UserBody {
  userId: string;
  emails: string[];
  deliveryAddress: Address;
  version: number;
}

export interface OrderBody {
  orderId: string;
  userId?: string;
  userEmails: string[];
  deliveryAddress: Address;
  orderStatus: string;
  updatedAt: string;
}

export const ITEMS = [{ itemId: 'sku-1', quantity: 2, price: 9.99 }];

export async function createUser(baseUrl: string, label = 'user'): Promise<UserBody> {
  const result = await http<UserBody>(baseUrl, 'POST', '/users', {
    body: { emails: [uniqueEmail(label)], deliveryAddress: anAddress({ street: `${label} st` }) },
  });
  return expectStatus(result, 201, 'POST /users');
}

export async function getUser(baseUrl: string, userId: string): Promise<UserBody> {
  return expectStatus(
    await http<UserBody>(baseUrl, 'GET', `/users/${userId}`),
    200,
    `GET /users/${userId}`,
  );
}

export async function updateUser(
  baseUrl: string,
  userId: string,
  body: { emails?: string[]; deliveryAddress?: Address },
): Promise<UserBody> {
  return expectStatus(
    await http<UserBody>(baseUrl, 'PUT', `/users/${userId}`, { body }),
    200,
    `PUT /users/${userId}`,
  );
}

/**
 * POST /orders with only userId + items, retried while the order service does not know the user
 * yet (400) — it learns users from user.created events.
 */
export async function createOrderForKnownUser(
  orderUrl: string,
  userId: string,
  timeoutMs = 10_000,
): Promise<OrderBody> {
  return eventually(
    `order service learns user ${userId}`,
    async () => {
      const result = await http<OrderBody>(orderUrl, 'POST', '/orders', {
        body: { userId, items: ITEMS },
      });
      if (result.status === 400) return undefined;
      return expectStatus(result, 201, 'POST /orders');
    },
    timeoutMs,
    50,
  );
}

/** Moves an order forward to `status`. */
export async function moveOrder(orderUrl: string, orderId: string, status: string): Promise<void> {
  expectStatus(
    await http(orderUrl, 'PUT', `/orders/${orderId}/status`, { body: { orderStatus: status } }),
    200,
    `PUT /orders/${orderId}/status`,
  );
}

export async function getOrder(orderUrl: string, orderId: string): Promise<OrderBody> {
  return expectStatus(
    await http<OrderBody>(orderUrl, 'GET', `/orders/${orderId}`),
    200,
    `GET /orders/${orderId}`,
  );
}

/** Every order of a user (one page: the tests keep users' order counts small). */
export async function ordersOf(orderUrl: string, userId: string): Promise<OrderBody[]> {
  return expectStatus(
    await http<OrderBody[]>(orderUrl, 'GET', `/orders?userId=${userId}&limit=1000`),
    200,
    'GET /orders',
  );
}

/** Emails compared case-insensitively and order-insensitively, as the API does. */
export function sameContact(
  order: Pick<OrderBody, 'userEmails' | 'deliveryAddress'>,
  user: Pick<UserBody, 'emails' | 'deliveryAddress'>,
): boolean {
  const norm = (emails: string[]): string =>
    JSON.stringify(emails.map((email) => email.toLowerCase()).sort());
  const addr = (address: Address): string =>
    JSON.stringify([
      address.street,
      address.city,
      address.state,
      address.postalCode,
      address.country,
    ]);
  return (
    norm(order.userEmails) === norm(user.emails) &&
    addr(order.deliveryAddress) === addr(user.deliveryAddress)
  );
}
