/** Changing an order's emails and address, until it is delivered. */
import { randomUUID } from 'node:crypto';
import { ProblemType } from '@aware/common';
import type { OrderDto } from '@aware/contracts';
import { OrderProblemType } from '../src/orders/order-problems';
import {
  ADDRESS,
  errorFields,
  expectProblem,
  expectPublicOrder,
  OTHER_ADDRESS,
  sleep,
  startOrdersApi,
} from './orders-test-support';

describe('Order service: /orders (docs/api.md)', () => {
  const { get, putStatus, putDetails, createOrder } = startOrdersApi();

  describe('PUT /orders/:orderId/details', () => {
    it('changes the emails only, normalised, and keeps the address', async () => {
      const created = await createOrder();
      await sleep(5);
      const response = await putDetails(created.orderId, { userEmails: [' New@Example.com '] });
      expect(response.statusCode).toBe(200);
      const order = response.json<OrderDto>();
      expectPublicOrder(order);
      expect(order).toEqual({
        ...created,
        userEmails: ['new@example.com'],
        updatedAt: order.updatedAt,
      });
      expect(Date.parse(order.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    });

    it('changes the address only, or both, on a shipping order', async () => {
      const created = await createOrder({ orderStatus: 'shipping' });
      const address = await putDetails(created.orderId, { deliveryAddress: OTHER_ADDRESS });
      expect(address.statusCode).toBe(200);
      expect(address.json<OrderDto>()).toMatchObject({
        userEmails: created.userEmails,
        deliveryAddress: OTHER_ADDRESS,
      });

      const both = await putDetails(created.orderId, {
        userEmails: ['x@example.com', 'y@example.com'],
        deliveryAddress: ADDRESS,
      });
      expect(both.json<OrderDto>()).toMatchObject({
        userEmails: ['x@example.com', 'y@example.com'],
        deliveryAddress: ADDRESS,
        orderStatus: 'shipping',
      });
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(both.json());
    });

    it('answers a change to the current values with 200 and leaves updatedAt alone', async () => {
      const created = await createOrder();
      await sleep(5);
      const response = await putDetails(created.orderId, {
        userEmails: ['ADA@example.com'],
        deliveryAddress: ADDRESS,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<OrderDto>()).toEqual(created);
    });

    it('needs at least one field and refuses any other field', async () => {
      const created = await createOrder();
      const neither = expectProblem(await putDetails(created.orderId, {}), 400);
      expect(errorFields(neither)).toEqual(['(body)']);
      for (const field of ['orderStatus', 'items', 'userId', 'totalPrice']) {
        const response = await putDetails(created.orderId, {
          userEmails: ['b@example.com'],
          [field]: field === 'orderStatus' ? 'shipping' : 1,
        });
        expect(errorFields(expectProblem(response, 400))).toEqual([field]);
      }
      const invalid = await putDetails(created.orderId, { userEmails: ['nope'] });
      expect(errorFields(expectProblem(invalid, 400))).toEqual(['userEmails']);
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(created);
    });

    it('refuses to change a delivered order with 409', async () => {
      const created = await createOrder();
      await putStatus(created.orderId, { orderStatus: 'delivered' });
      const response = await putDetails(created.orderId, { deliveryAddress: OTHER_ADDRESS });
      expectProblem(response, 409, OrderProblemType.orderDelivered);
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>().deliveryAddress).toEqual(
        ADDRESS,
      );
    });

    it('never changes an order delivered concurrently', async () => {
      for (let round = 0; round < 5; round += 1) {
        const created = await createOrder();
        const [details, status] = await Promise.all([
          putDetails(created.orderId, { deliveryAddress: OTHER_ADDRESS }),
          putStatus(created.orderId, { orderStatus: 'delivered' }),
        ]);
        expect(status.statusCode).toBe(200);
        const final = (await get(`/orders/${created.orderId}`)).json<OrderDto>();
        if (details.statusCode === 200) {
          // The details landed first; the delivered order keeps them.
          expect(final.deliveryAddress).toEqual(OTHER_ADDRESS);
        } else {
          expectProblem(details, 409, OrderProblemType.orderDelivered);
          expect(final.deliveryAddress).toEqual(ADDRESS);
        }
      }
    });

    it('answers 404 for any id that names no order, whatever its shape', async () => {
      for (const id of [randomUUID(), '123', 'no%20such']) {
        expectProblem(
          await putDetails(id, { userEmails: ['a@example.com'] }),
          404,
          ProblemType.notFound,
        );
      }
    });
  });
});
