/**
 * Database outages seen by every service: each of user-v1, user-v2 and order reaches its database
 * through its own TCP proxy, which the test cuts in two ways — connections reset, and a silent
 * partition that drops every byte without telling either side — while idle and under load.
 * During a cut, answers are 2xx or a 503 problem+json with Retry-After, never a 500; afterwards
 * every service is ready again within seconds, by itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type HttpResult } from './support/http';
import { ServiceStack, withServiceOutput } from './support/service-stack';
import type { TcpProxy } from './support/tcp-proxy';
import { readinessBecomes } from './support/update-stream';

jest.setTimeout(180_000);

const CUT_MS = 3_000;
/** Ready again within this time after the database answers again. */
const RECOVERY_MS = 15_000;
/** Longer than the driver's socket timeout, so a request stuck on a dropped connection ends. */
const REQUEST_TIMEOUT_MS = 45_000;

type Cut = 'reset' | 'partition';

describe('database outages (every service)', () => {
  let stack: ServiceStack | undefined;
  const services = (): ServiceStack => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  beforeAll(async () => {
    stack = await ServiceStack.started({
      suite: 'dbfaults',
      orderDbProxy: true,
      userDbProxies: true,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const targets = (): {
    name: string;
    url: string;
    proxy: TcpProxy;
    write: () => Promise<HttpResult>;
  }[] => {
    const { v1, v2, order, v1Db, v2Db, orderDb } = services();
    if (!v1Db || !v2Db || !orderDb) throw new Error('no database proxies');
    const createUser = (url: string) => () =>
      http(url, 'POST', '/users', {
        body: { emails: [uniqueEmail('dbcut')], deliveryAddress: anAddress() },
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
    return [
      { name: 'user-v1', url: v1.url, proxy: v1Db, write: createUser(v1.url) },
      { name: 'user-v2', url: v2.url, proxy: v2Db, write: createUser(v2.url) },
      {
        name: 'order',
        url: order.url,
        proxy: orderDb,
        write: () =>
          http(order.url, 'POST', '/orders', {
            body: {
              items: [{ itemId: 'i1', quantity: 2, price: 3.5 }],
              userEmails: [uniqueEmail('dbcut')],
              deliveryAddress: anAddress(),
            },
            timeoutMs: REQUEST_TIMEOUT_MS,
          }),
      },
    ];
  };

  /**
   * Writes in a loop, 4 at a time per service; once every service has answered a 201, runs
   * `during` and stops when it is done. Returns every answer.
   */
  const underLoad = async (
    during: () => Promise<void>,
  ): Promise<{ name: string; result: HttpResult }[]> => {
    const answers: { name: string; result: HttpResult }[] = [];
    let running = true;
    const worker = async (target: ReturnType<typeof targets>[number]): Promise<void> => {
      while (running) {
        answers.push({ name: target.name, result: await target.write() });
      }
    };
    const workers = targets().flatMap((target) => [1, 2, 3, 4].map(() => worker(target)));
    const warm = (): boolean =>
      targets().every((target) =>
        answers.some(({ name, result }) => name === target.name && result.status === 201),
      );
    while (!warm()) await sleep(50);
    await during();
    running = false;
    await Promise.all(workers);
    return answers;
  };

  const cut = async (how: Cut): Promise<void> => {
    for (const { proxy } of targets()) {
      if (how === 'reset') proxy.cut();
      else proxy.blackhole();
    }
    await sleep(CUT_MS);
    for (const { proxy } of targets()) proxy.restore();
  };

  /** Every service ready and writing again within RECOVERY_MS, with no help. */
  const expectRecovered = async (): Promise<void> => {
    const deadline = Date.now() + RECOVERY_MS;
    for (const target of targets()) {
      let last = 'not tried';
      for (;;) {
        const ready = await readinessBecomes(target.url, 200, Math.max(deadline - Date.now(), 1));
        // A check still pending from the cut may clear the pool once more: retry until written.
        const write = ready === undefined ? undefined : await target.write();
        if (write?.status === 201) break;
        last = write ? `${write.status} ${write.text}` : 'not ready';
        if (Date.now() > deadline) {
          throw new Error(`${target.name} not recovered ${RECOVERY_MS} ms after the cut: ${last}`);
        }
        await sleep(200);
      }
    }
    for (const service of services().services) expect(service.unexpectedExits).toEqual([]);
  };

  const expectOnly2xxOr503 = (answers: { name: string; result: HttpResult }[]): void => {
    const others = answers.filter(({ result }) => result.status !== 201 && result.status !== 503);
    expect(others.map(({ name, result }) => `${name} ${result.status} ${result.text}`)).toEqual([]);
    for (const { result } of answers.filter(({ result }) => result.status === 503)) {
      expect(result.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  };

  const scenario = (name: string, body: () => Promise<void>): void =>
    it(
      name,
      withServiceOutput(() => stack, body),
    );

  scenario('a /metrics scrape reads no database: it answers during a partition', async () => {
    const { v1, v1Db } = services();
    if (!v1Db) throw new Error('no database proxy');
    v1Db.blackhole();
    try {
      const scrape = await http(v1.url, 'GET', '/metrics', { timeoutMs: 2_000 });
      expect(scrape.status).toBe(200);
      expect(scrape.text).toMatch(/^aware_outbox_pending \d+/m);
    } finally {
      v1Db.restore();
    }
    await expectRecovered();
  });

  describe.each<Cut>(['reset', 'partition'])('cut: %s', (how) => {
    scenario('while idle: every service is ready again by itself within seconds', async () => {
      await cut(how);
      await expectRecovered();
    });

    scenario(
      'under load: only 201 or 503 (with Retry-After) during the cut, then recovery',
      async () => {
        const settled = await underLoad(() => cut(how));
        expectOnly2xxOr503(settled);
        await expectRecovered();
        process.stdout.write(
          `[dbfaults ${how}] ${settled.length} writes: ` +
            `${settled.filter(({ result }) => result.status === 201).length} × 201, ` +
            `${settled.filter(({ result }) => result.status === 503).length} × 503\n`,
        );
      },
    );
  });
});
