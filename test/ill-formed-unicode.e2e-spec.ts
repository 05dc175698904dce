/**
 * Text that is not well-formed Unicode (a lone UTF-16 surrogate, sent as a JSON escape) is
 * refused with 400 naming the field on every write route, before any validator runs, and
 * nothing is stored or changed.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ProblemType, type ProblemDetails } from '@aware/common';
import { ORDER, orderModule } from '../apps/order/src/app.module';
import { anAddress, uniqueEmail } from './support/fixtures';
import type { Json } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';
import { USER_SERVICES } from './support/users-api';

const HIGH = '\ud800';
const LOW = '\udc00';

interface Probe {
  what: string;
  body: Json;
  /** The field the answer must name. */
  field: string;
}

/** A service in-process for the enclosing describe, with its database to count what is stored. */
function startService(start: () => Promise<TestApp>): () => TestApp {
  let service: TestApp | undefined;
  beforeAll(async () => {
    service = await start();
  });
  afterAll(() => service?.close());
  return () => {
    if (!service) throw new Error('the service did not start');
    return service;
  };
}

/**
 * Documents per non-empty collection (collections appear as indexes are built): a refused
 * request must leave every count as it was.
 */
async function countsOf(service: TestApp): Promise<Record<string, number>> {
  const db = service.app.get<Connection>(getConnectionToken()).db;
  if (!db) throw new Error('no database connection');
  const counts: Record<string, number> = {};
  for (const { name } of await db.listCollections().toArray()) {
    const count = await db.collection(name).countDocuments();
    if (count > 0) counts[name] = count;
  }
  return counts;
}

/**
 * Sends `body` (JSON.stringify writes a lone surrogate as a `\udXXX` escape, as a client would),
 * expects 400 problem+json naming `field`, and that no collection gained or lost a document.
 */
async function expectRefused(
  service: TestApp,
  method: 'POST' | 'PUT',
  url: string,
  { body, field }: Probe,
): Promise<void> {
  const before = await countsOf(service);
  const payload = JSON.stringify(body);
  expect(payload).toMatch(/\\ud[89a-f][0-9a-f]{2}/);
  const response = await service.app.inject({
    method,
    url,
    headers: { 'content-type': 'application/json' },
    payload,
  });
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: 400 });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemDetails>();
  expect(problem.type).toBe(ProblemType.validation);
  expect(problem.errors?.map((error) => error.field)).toContain(field);
  expect(await countsOf(service)).toEqual(before);
}

/** The same probe with a high and with a low lone surrogate. */
function bothHalves(what: string, make: (half: string) => Json, field: string): Probe[] {
  return [HIGH, LOW].map((half) => ({
    what: `${what} (${half === HIGH ? 'high' : 'low'} surrogate)`,
    body: make(half),
    field: field.replace('?', '\ufffd'),
  }));
}

describe.each(USER_SERVICES)('ill-formed Unicode ($identity.name)', ({ identity, rootModule }) => {
  const service = startService(() => startTestApp(identity, rootModule));
  const newUser = (): Json => ({ emails: [uniqueEmail()], deliveryAddress: anAddress() });

  const createProbes = [
    ...bothHalves(
      'an email',
      (half) => ({ ...newUser(), emails: [`a${half}b@example.com`] }),
      'emails[0]',
    ),
    ...bothHalves(
      'a second email',
      (half) => ({ ...newUser(), emails: [uniqueEmail(), `${half}@example.com`] }),
      'emails[1]',
    ),
    ...bothHalves('firstName', (half) => ({ ...newUser(), firstName: `Ada${half}` }), 'firstName'),
    ...bothHalves(
      'a nested address field',
      (half) => ({ ...newUser(), deliveryAddress: anAddress({ street: `1 Main${half} St` }) }),
      'deliveryAddress.street',
    ),
    ...bothHalves('a field name', (half) => ({ ...newUser(), [`nick${half}`]: 'x' }), 'nick?'),
    ...bothHalves(
      'a nested field name',
      (half) => ({ ...newUser(), deliveryAddress: { ...anAddress(), [`${half}`]: 'x' } }),
      'deliveryAddress.?',
    ),
  ];
  it.each(createProbes)('POST /users refuses $what', async (probe) => {
    await expectRefused(service(), 'POST', '/users', probe);
  });

  it.each([
    ...bothHalves('an email', (half) => ({ emails: [`${half}x@example.com`] }), 'emails[0]'),
    ...bothHalves(
      'a nested address field',
      (half) => ({ deliveryAddress: anAddress({ city: `Spring${half}field` }) }),
      'deliveryAddress.city',
    ),
  ])('PUT /users/{id} refuses $what and leaves the user as it was', async (probe) => {
    const created = await service().app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(newUser()),
    });
    expect(created.statusCode).toBe(201);
    const userId = String(created.json<Json>().userId);
    await expectRefused(service(), 'PUT', `/users/${userId}`, probe);
    const after = await service().app.inject({ method: 'GET', url: `/users/${userId}` });
    expect(after.json()).toEqual(created.json());
  });
});

describe('ill-formed Unicode (order)', () => {
  const service = startService(() => startTestApp(ORDER, orderModule));
  const newOrder = (): Json => ({
    items: [{ itemId: 'sku-1', quantity: 1, price: 1 }],
    userEmails: ['ada@example.com'],
    deliveryAddress: anAddress(),
  });

  it.each([
    ...bothHalves(
      'an email',
      (half) => ({ ...newOrder(), userEmails: [`a${half}b@example.com`] }),
      'userEmails[0]',
    ),
    ...bothHalves(
      'an item id',
      (half) => ({
        ...newOrder(),
        items: [
          { itemId: 'sku-1', quantity: 1, price: 1 },
          { itemId: `sku${half}`, quantity: 1, price: 1 },
        ],
      }),
      'items[1].itemId',
    ),
    ...bothHalves(
      'a nested address field',
      (half) => ({ ...newOrder(), deliveryAddress: anAddress({ country: `U${half}S` }) }),
      'deliveryAddress.country',
    ),
    ...bothHalves('a userId', (half) => ({ ...newOrder(), userId: `u${half}` }), 'userId'),
    ...bothHalves(
      'a field name in an item',
      (half) => ({ ...newOrder(), items: [{ itemId: 'a', quantity: 1, price: 1, [half]: 1 }] }),
      'items[0].?',
    ),
  ])('POST /orders refuses $what', async (probe) => {
    await expectRefused(service(), 'POST', '/orders', probe);
  });

  const existingOrder = async (): Promise<Json> => {
    const created = await service().app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(newOrder()),
    });
    expect(created.statusCode).toBe(201);
    return created.json<Json>();
  };

  it.each(bothHalves('the status', (half) => ({ orderStatus: `shipping${half}` }), 'orderStatus'))(
    'PUT /orders/{id}/status refuses $what and leaves the order as it was',
    async (probe) => {
      const order = await existingOrder();
      await expectRefused(service(), 'PUT', `/orders/${String(order.orderId)}/status`, probe);
      const after = await service().app.inject({
        method: 'GET',
        url: `/orders/${String(order.orderId)}`,
      });
      expect(after.json()).toEqual(order);
    },
  );

  it.each([
    ...bothHalves(
      'an email',
      (half) => ({ userEmails: ['x@example.com', `${half}@example.com`] }),
      'userEmails[1]',
    ),
    ...bothHalves(
      'a nested address field',
      (half) => ({ deliveryAddress: anAddress({ street: `${half}` }) }),
      'deliveryAddress.street',
    ),
  ])('PUT /orders/{id}/details refuses $what and leaves the order as it was', async (probe) => {
    const order = await existingOrder();
    await expectRefused(service(), 'PUT', `/orders/${String(order.orderId)}/details`, probe);
    const after = await service().app.inject({
      method: 'GET',
      url: `/orders/${String(order.orderId)}`,
    });
    expect(after.json()).toEqual(order);
  });

  it('still accepts well-formed text beyond the BMP (a surrogate pair)', async () => {
    const response = await service().app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        ...newOrder(),
        items: [{ itemId: 'sku-\u{1F600}', quantity: 1, price: 1 }],
      }),
    });
    expect(response.statusCode).toBe(201);
    const order = response.json<{ orderId: string; items: { itemId: string }[] }>();
    expect(order.items[0].itemId).toBe('sku-\u{1F600}');
    const stored = await service().app.inject({ method: 'GET', url: `/orders/${order.orderId}` });
    expect(stored.json<{ items: { itemId: string }[] }>().items[0].itemId).toBe('sku-\u{1F600}');
  });
});
