import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemType, type ProblemDetails } from '@aware/common';
import type { OrderDto } from '@aware/contracts';
import { anAddress } from '../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { ORDER, orderModule } from '../src/app.module';

export const ADDRESS = anAddress();
export const OTHER_ADDRESS = anAddress({
  street: '2 Elm St',
  city: 'Shelbyville',
  postalCode: '62565',
});

const ORDER_KEYS = [
  'orderId',
  'userId',
  'items',
  'totalPrice',
  'userEmails',
  'deliveryAddress',
  'orderStatus',
  'createdAt',
  'updatedAt',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface OrderBody {
  items?: unknown;
  userId?: unknown;
  userEmails?: unknown;
  deliveryAddress?: unknown;
  orderStatus?: unknown;
  [field: string]: unknown;
}

export function orderBody(overrides: OrderBody = {}): OrderBody {
  return {
    items: [{ itemId: 'sku-1', quantity: 2, price: 9.99 }],
    userEmails: ['ada@example.com'],
    deliveryAddress: ADDRESS,
    ...overrides,
  };
}

/** The public shape only: no `_id`, `__v`, `userVersion` or other storage fields, anywhere. */
export function expectPublicOrder(order: OrderDto): void {
  for (const key of Object.keys(order)) expect(ORDER_KEYS).toContain(key);
  expect(order.orderId).toMatch(UUID_V4);
  for (const item of order.items)
    expect(Object.keys(item).sort()).toEqual(['itemId', 'price', 'quantity']);
  expect(Object.keys(order.deliveryAddress).sort()).toEqual(Object.keys(ADDRESS).sort());
  expect(order.createdAt).toMatch(ISO_UTC);
  expect(order.updatedAt).toMatch(ISO_UTC);
}

export function expectProblem(
  response: LightMyRequestResponse,
  status: number,
  type: string = ProblemType.validation,
): ProblemDetails {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  const problem = response.json<ProblemDetails>();
  expect(problem).toMatchObject({ type, status, title: expect.any(String) });
  expect(typeof problem.detail).toBe('string');
  expect(response.body).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
  return problem;
}

export function errorFields(problem: ProblemDetails): string[] {
  return (problem.errors ?? []).map((error) => error.field);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The order service running in-process for one test file, and requests bound to it. */
interface OrdersApi {
  app(): NestFastifyApplication;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  post(payload: unknown, url?: string): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  putStatus(orderId: string, payload: unknown): Promise<LightMyRequestResponse>;
  putDetails(orderId: string, payload: unknown): Promise<LightMyRequestResponse>;
  /** POSTs `orderBody(overrides)`, expects 201 and returns the order. */
  createOrder(overrides?: OrderBody): Promise<OrderDto>;
}

/**
 * Starts the order service (as main.ts does, on a throwaway database) before the enclosing
 * describe's tests and closes it after them; the requests may be called from tests only.
 */
export function startOrdersApi(): OrdersApi {
  let testApp: TestApp | undefined;

  beforeAll(async () => {
    testApp = await startTestApp(ORDER, orderModule);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const app = (): NestFastifyApplication => {
    if (!testApp) throw new Error('the order service did not start');
    return testApp.app;
  };
  const request = (options: InjectOptions): Promise<LightMyRequestResponse> =>
    app().inject(options);
  const post = (payload: unknown, url = '/orders'): Promise<LightMyRequestResponse> =>
    request({ method: 'POST', url, payload: payload as InjectOptions['payload'] });
  const put = (url: string, payload: unknown): Promise<LightMyRequestResponse> =>
    request({ method: 'PUT', url, payload: payload as InjectOptions['payload'] });

  return {
    app,
    request,
    post,
    get: (url) => request({ method: 'GET', url }),
    putStatus: (orderId, payload) => put(`/orders/${orderId}/status`, payload),
    putDetails: (orderId, payload) => put(`/orders/${orderId}/details`, payload),
    async createOrder(overrides = {}) {
      const response = await post(orderBody(overrides));
      expect(response.statusCode).toBe(201);
      return response.json<OrderDto>();
    },
  };
}
