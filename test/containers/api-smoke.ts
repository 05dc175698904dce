/**
 * The API checks of `npm run test:containers`, against the services running from their images:
 * usage: ts-node api-smoke.ts <user-v1 url> <user-v2 url> <order url>
 * A user created on v1 is read through v2, reaches the order service as an event (an order can
 * then name it by id alone), and a change made through v2 reaches that order.
 */
import { randomBytes } from 'node:crypto';

const [userV1, userV2, order] = process.argv.slice(2);

interface Answer {
  status: number;
  version: string | null;
  body: Record<string, unknown>;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    version: response.headers.get('x-service-version'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

function check(condition: boolean, what: string, answer?: Answer): void {
  if (!condition) {
    throw new Error(
      `${what}${answer ? `: got ${answer.status} ${JSON.stringify(answer.body)}` : ''}`,
    );
  }
  process.stdout.write(`ok - ${what}\n`);
}

async function eventually(what: string, attempt: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  process.stdout.write(`ok - ${what}\n`);
}

async function main(): Promise<void> {
  const seeded = await fetch(`${order}/orders?limit=1000`);
  const seededOrders = (await seeded.json()) as unknown[];
  check(seeded.status === 200 && seededOrders.length >= 15, 'db-setup seeded at least 15 orders');

  const address = {
    street: '1 Container Way',
    city: 'Dockerville',
    state: 'CA',
    postalCode: '94000',
    country: 'US',
  };
  const email = `smoke-${randomBytes(4).toString('hex')}@example.com`;
  const created = await call(userV1, 'POST', '/users', {
    emails: [email],
    deliveryAddress: address,
  });
  check(
    created.status === 201 && created.version?.startsWith('user-v1/') === true,
    'user-v1 creates a user',
    created,
  );
  const userId = created.body.userId as string;

  const read = await call(userV2, 'GET', `/users/${userId}`);
  check(
    read.status === 200 && read.version?.startsWith('user-v2/') === true,
    'user-v2 reads it (shared database)',
    read,
  );

  let orderId = '';
  await eventually('user.created reached the order service (order by userId alone)', async () => {
    const placed = await call(order, 'POST', '/orders', {
      userId,
      items: [{ itemId: 'smoke', quantity: 2, price: 3.5 }],
    });
    if (placed.status !== 201) return false;
    orderId = placed.body.orderId as string;
    return (placed.body.userEmails as string[])[0] === email;
  });

  const newEmail = `changed-${email}`;
  const updated = await call(userV2, 'PUT', `/users/${userId}`, { emails: [newEmail] });
  check(updated.status === 200, 'user-v2 updates the user', updated);
  await eventually('user.updated reached the order', async () => {
    const current = await call(order, 'GET', `/orders/${orderId}`);
    return (current.body.userEmails as string[])[0] === newEmail;
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`not ok - ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
