/** Creating an order: the bodies the service refuses, and the field each refusal names. */
import { randomUUID } from 'node:crypto';
import { ProblemType } from '@aware/common';
import { errorFields, expectProblem, orderBody, startOrdersApi } from './orders-test-support';

describe('Order service: /orders (docs/api.md)', () => {
  const { request, post } = startOrdersApi();

  describe('POST /orders', () => {
    it('refuses quantities and prices past the limits that keep totals exact', async () => {
      const quantity = await post(
        orderBody({ items: [{ itemId: 'a', quantity: 10_001, price: 1 }] }),
      );
      expect(errorFields(expectProblem(quantity, 400))).toEqual(['items[0].quantity']);
      const price = await post(
        orderBody({ items: [{ itemId: 'a', quantity: 1, price: 1_000_000.01 }] }),
      );
      expect(errorFields(expectProblem(price, 400))).toEqual(['items[0].price']);
    });

    it('names the type when a value has the wrong type', async () => {
      const response = await post(orderBody({ items: [{ itemId: 5, quantity: '2', price: 1 }] }));
      const problem = expectProblem(response, 400);
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          { field: 'items[0].itemId', message: 'itemId must be a string' },
          { field: 'items[0].quantity', message: 'quantity must be an integer number' },
        ]),
      );
    });

    it('requires userEmails and deliveryAddress when userId names no known user', async () => {
      const noEmails = await post(orderBody({ userEmails: undefined }));
      const problem = expectProblem(noEmails, 400);
      expect(problem.errors).toEqual([
        {
          field: 'userEmails',
          message: 'userEmails is required unless userId names a user known to the order service',
        },
      ]);

      const noAddress = await post(orderBody({ userId: randomUUID(), deliveryAddress: undefined }));
      expect(errorFields(expectProblem(noAddress, 400))).toEqual(['deliveryAddress']);

      const neither = await post({ items: [{ itemId: 'a', quantity: 1, price: 1 }] });
      expect(errorFields(expectProblem(neither, 400))).toEqual(['userEmails', 'deliveryAddress']);
    });

    it.each([
      { rule: 'missing', field: 'items', items: undefined },
      { rule: 'empty', field: 'items', items: [] },
      {
        rule: 'over 100',
        field: 'items',
        items: Array.from({ length: 101 }, (_, i) => ({ itemId: `i${i}`, quantity: 1, price: 1 })),
      },
      { rule: 'not an array', field: 'items', items: { itemId: 'a', quantity: 1, price: 1 } },
      { rule: 'an item that is not an object', field: 'items', items: ['sku-1'] },
      { rule: 'an item that is null', field: 'items', items: [null] },
      {
        rule: 'quantity 0',
        field: 'items[0].quantity',
        items: [{ itemId: 'a', quantity: 0, price: 1 }],
      },
      {
        rule: 'quantity 1.5',
        field: 'items[0].quantity',
        items: [{ itemId: 'a', quantity: 1.5, price: 1 }],
      },
      {
        rule: 'quantity as a string',
        field: 'items[0].quantity',
        items: [{ itemId: 'a', quantity: '2', price: 1 }],
      },
      {
        rule: 'negative price',
        field: 'items[0].price',
        items: [{ itemId: 'a', quantity: 1, price: -0.01 }],
      },
      {
        rule: 'price with 3 decimals',
        field: 'items[0].price',
        items: [{ itemId: 'a', quantity: 1, price: 1.005 }],
      },
      {
        rule: 'price as a string',
        field: 'items[0].price',
        items: [{ itemId: 'a', quantity: 1, price: '1.00' }],
      },
      {
        rule: 'empty itemId',
        field: 'items[0].itemId',
        items: [{ itemId: '', quantity: 1, price: 1 }],
      },
      { rule: 'missing itemId', field: 'items[0].itemId', items: [{ quantity: 1, price: 1 }] },
      {
        rule: 'unknown item field',
        field: 'items[0].color',
        items: [{ itemId: 'a', quantity: 1, price: 1, color: 'red' }],
      },
      {
        rule: 'an invalid second item',
        field: 'items[1].quantity',
        items: [
          { itemId: 'a', quantity: 1, price: 1 },
          { itemId: 'b', quantity: -1, price: 1 },
        ],
      },
    ])('rejects items: $rule → 400 naming $field', async ({ items, field }) => {
      const response = await post(orderBody({ items }));
      expect(errorFields(expectProblem(response, 400))).toContain(field);
    });

    it('rejects a client-sent orderId, timestamps and unknown fields with field errors', async () => {
      const withId = await post(orderBody({ orderId: randomUUID() }));
      expect(expectProblem(withId, 400).errors).toEqual([
        { field: 'orderId', message: 'property orderId should not exist' },
      ]);
      const withTimestamps = await post(orderBody({ createdAt: new Date().toISOString() }));
      expect(errorFields(expectProblem(withTimestamps, 400))).toEqual(['createdAt']);
      const withTotal = await post(orderBody({ totalPrice: 1 }));
      expect(errorFields(expectProblem(withTotal, 400))).toEqual(['totalPrice']);
      const unknown = await post(orderBody({ foo: 'bar' }));
      expect(expectProblem(unknown, 400).errors).toEqual([
        { field: 'foo', message: 'property foo should not exist' },
      ]);
    });

    it('accepts JSON only: malformed JSON → 400, other media types → 415, over 64 KiB → 413', async () => {
      const malformed = await request({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'application/json' },
        payload: '{"items": [',
      });
      expectProblem(malformed, 400, ProblemType.malformedJson);

      const text = await request({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify(orderBody()),
      });
      expectProblem(text, 415, ProblemType.unsupportedMediaType);

      const notObject = await post([orderBody()]);
      expect(errorFields(expectProblem(notObject, 400))).toEqual(['(body)']);

      const huge = await post(orderBody({ note: 'x'.repeat(70 * 1024) }));
      expectProblem(huge, 413, ProblemType.payloadTooLarge);
    });
  });
});
