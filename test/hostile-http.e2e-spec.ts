/** Hostile HTTP input to every service: 4xx problem answers only; nothing changes or goes down. */
import { randomUUID } from 'node:crypto';
import { ordersOf, ITEMS } from './support/aware-client';
import { startFaultStack } from './support/fault-stack';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type Json } from './support/http';

describe('reliability under faults (docs/reliability.md)', () => {
  const { services, users, scenario, expectEveryServiceUp } = startFaultStack({
    suite: 'hostilehttp',
  });

  scenario('f. hostile HTTP input gets 4xx only and every service stays up', async () => {
    const { v1, v2, order } = services();
    const user = users()[1];
    const anOrder = (await ordersOf(order.url, user.userId))[0];
    const goodUser = { emails: [uniqueEmail('hostile')], deliveryAddress: anAddress() };
    const hugeString = 'x'.repeat(100 * 1024);
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const manyEmails = Array.from({ length: 2_000 }, (_, i) => `a${i}@b.co`);
    const manyItems = Array.from({ length: 1_000 }, (_, i) => ({
      itemId: `i${i}`,
      quantity: 1,
      price: 1,
    }));
    type Probe = { method: string; path: string; body?: unknown; headers?: Record<string, string> };
    const userProbes = (id: string): Probe[] => [
      { method: 'POST', path: '/users', body: { ...goodUser, emails: 'a@example.com' } },
      { method: 'POST', path: '/users', body: { ...goodUser, emails: [{ $gt: '' }] } },
      { method: 'POST', path: '/users', body: { ...goodUser, emails: { $ne: null } } },
      { method: 'POST', path: '/users', body: { ...goodUser, $where: '1 == 1' } },
      {
        method: 'POST',
        path: '/users',
        body: { ...goodUser, deliveryAddress: { ...anAddress(), $gt: '' } },
      },
      {
        method: 'POST',
        path: '/users',
        body: { ...goodUser, deliveryAddress: { ...anAddress(), street: { $ne: null } } },
      },
      { method: 'POST', path: '/users', body: { ...goodUser, userId: { $ne: null } } },
      { method: 'POST', path: '/users', body: { ...goodUser, firstName: 42, phoneNumber: ['1'] } },
      { method: 'POST', path: '/users', body: { ...goodUser, emails: manyEmails } },
      { method: 'POST', path: '/users', body: { ...goodUser, firstName: hugeString } },
      { method: 'POST', path: '/users', body: `{"emails": ${deep}}` },
      {
        method: 'POST',
        path: '/users',
        body: `{"__proto__": {"isAdmin": true}, ${JSON.stringify(goodUser).slice(1)}`,
      },
      {
        method: 'POST',
        path: '/users',
        body: { ...goodUser, constructor: { prototype: { isAdmin: true } } },
      },
      {
        method: 'POST',
        path: '/users',
        body: `{"deliveryAddress": {"__proto__": {"polluted": 1}}, "emails": ["p@example.com"]}`,
      },
      { method: 'POST', path: '/users', body: '{"emails": [' },
      {
        method: 'POST',
        path: '/users',
        body: 'emails=a@b.c',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      { method: 'POST', path: '/users', body: '[]' },
      { method: 'POST', path: '/users', body: 'null' },
      { method: 'PUT', path: `/users/${id}`, body: { emails: { $gt: '' } } },
      { method: 'PUT', path: `/users/${id}`, body: { deliveryAddress: 'x' } },
      { method: 'PUT', path: `/users/${id}`, body: { version: 999, emails: ['v@example.com'] } },
      { method: 'PUT', path: `/users/${id}`, body: {} },
      {
        method: 'PUT',
        path: `/users/${encodeURIComponent('{"$gt":""}')}`,
        body: { deliveryAddress: anAddress() },
      },
      { method: 'GET', path: `/users/${encodeURIComponent('{"$ne":null}')}` },
      { method: 'GET', path: '/users/..%2F..%2Fetc%2Fpasswd' },
      {
        method: 'PUT',
        path: `/users/${id}`,
        body: { emails: ['a@b.co'] },
        headers: { 'if-match': '{"$gt":0}' },
      },
    ];
    const orderProbes: Probe[] = [
      { method: 'POST', path: '/orders', body: { userId: user.userId, items: 'x' } },
      { method: 'POST', path: '/orders', body: { userId: user.userId, items: [] } },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: manyItems.slice(0, 101) },
      },
      { method: 'POST', path: '/orders', body: { userId: user.userId, items: manyItems } },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: [{ itemId: 'a', quantity: { $gt: 0 }, price: 1 }] },
      },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: [{ itemId: { $ne: '' }, quantity: 1, price: 1 }] },
      },
      {
        method: 'POST',
        path: '/orders',
        body: `{"userId": "${user.userId}", "items": [{"itemId": "a", "quantity": 1, "price": 1e400}]}`,
      },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: ITEMS, price: -1, totalPrice: 0 },
      },
      { method: 'POST', path: '/orders', body: { userId: { $ne: null }, items: ITEMS } },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: ITEMS, orderId: 'mine' },
      },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: ITEMS, orderStatus: { $in: ['delivered'] } },
      },
      {
        method: 'POST',
        path: '/orders',
        body: { userId: user.userId, items: ITEMS, userEmails: [hugeString] },
      },
      {
        method: 'POST',
        path: '/orders',
        body: `{"userId": "${user.userId}", "items": ${JSON.stringify(ITEMS)}, "__proto__": {"polluted": 1}}`,
      },
      { method: 'POST', path: '/orders', body: `{"items": ${deep}}` },
      {
        method: 'POST',
        path: '/orders',
        body: `{"userId": "${user.userId}", "items": [${'{"itemId":'.repeat(3_000)}"a"${'}'.repeat(3_000)}]}`,
      },
      { method: 'GET', path: '/orders?status[$ne]=delivered' },
      { method: 'GET', path: '/orders?userId[$gt]=' },
      { method: 'GET', path: '/orders?status=delivered&status=shipping' },
      { method: 'GET', path: '/orders?limit=1e9' },
      { method: 'GET', path: '/orders?limit=-1' },
      { method: 'GET', path: '/orders?after=%7B%22%24gt%22%3A%22%22%7D' },
      { method: 'GET', path: '/orders?__proto__[polluted]=1' },
      { method: 'GET', path: `/orders/${encodeURIComponent('{"$ne":null}')}` },
      {
        method: 'PUT',
        path: `/orders/${anOrder.orderId}/status`,
        body: { orderStatus: { $gt: '' } },
      },
      {
        method: 'PUT',
        path: `/orders/${anOrder.orderId}/status`,
        body: { orderStatus: 'cancelled' },
      },
      {
        method: 'PUT',
        path: `/orders/${anOrder.orderId}/details`,
        body: { userEmails: [{ $gt: '' }] },
      },
      { method: 'PUT', path: `/orders/${anOrder.orderId}/details`, body: { userId: randomUUID() } },
    ];
    const targets: [string, string, Probe[]][] = [
      [v1.name, v1.url, userProbes(user.userId)],
      [v2.name, v2.url, userProbes(user.userId)],
      [order.name, order.url, orderProbes],
    ];
    let sent = 0;
    let clientErrors = 0;
    const unexpected: string[] = [];
    for (const [name, url, probes] of targets) {
      for (const probe of probes) {
        sent += 1;
        const result = await http(url, probe.method, probe.path, {
          body: probe.body,
          headers: probe.headers,
        });
        const problemJson = /^application\/problem\+json/.test(
          result.headers.get('content-type') ?? '',
        );
        if (
          result.status >= 400 &&
          result.status < 500 &&
          problemJson &&
          !/\bat .+:\d+:\d+/.test(result.text)
        ) {
          clientErrors += 1;
        } else {
          const shown = typeof probe.body === 'string' ? probe.body : JSON.stringify(probe.body);
          unexpected.push(
            `${name} ${probe.method} ${probe.path} ${(shown ?? '').slice(0, 80)} → ${result.status} ${result.text.slice(0, 160)}`,
          );
        }
      }
    }
    // Nothing was created or changed by the probes, and nothing got polluted.
    const after = await http<Json>(v1.url, 'POST', '/users', {
      body: { ...goodUser, emails: [uniqueEmail('after')] },
    });
    expect(after.status).toBe(201);
    expect(after.body.isAdmin).toBeUndefined();
    expect(after.body.polluted).toBeUndefined();
    expect(await ordersOf(order.url, user.userId)).toHaveLength(4);
    const health = await Promise.all(services().services.map((s) => http(s.url, 'GET', '/health')));
    console.log(
      `[hostile-http] requests=${sent} 4xx-problem=${clientErrors} unexpected=${unexpected.length} ` +
        `health=${health.map((h) => h.status).join('/')}`,
    );
    for (const line of unexpected) console.log(`[hostile-http] unexpected: ${line}`);
    expect(unexpected).toEqual([]);
    await expectEveryServiceUp();
  });
});
