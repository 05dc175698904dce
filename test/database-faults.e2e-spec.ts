/**
 * Database outages seen by every service: each of user-v1, user-v2 and order reaches its database
 * through its own TCP proxy, which the test cuts three ways — connections reset (RST), closed
 * gracefully (FIN), and a silent partition that drops every byte without telling either side —
 * under write load, on a quiet machine and on a busy one (a CPU-bound process beside it). A cut
 * is a blip as a flapping network or a restarting database makes it: 3 s, the database back for
 * a moment, then 6 s more. During it, answers are 201 or a 503 problem+json with Retry-After,
 * never a 500; afterwards every service is ready and writing again within RECOVERY_MS of the
 * database answering, by itself, and every write it confirmed is stored.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuLoad } from './support/cpu-load';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type HttpResult, type Json } from './support/http';
import { ServiceStack, withServiceOutput } from './support/service-stack';
import type { TcpProxy } from './support/tcp-proxy';

jest.setTimeout(180_000);

/** The blip: cut, the database back for a moment, cut again. */
const CUTS_MS = [3_000, 6_000] as const;
const BETWEEN_CUTS_MS = 500;
/**
 * The recovery bound: every service ready and writing again within this time after the database
 * answers again. A correctness bound (a service that stays down is broken), not a speed claim.
 */
const RECOVERY_MS = 10_000;
/** Longer than the driver's operation deadline, so a request stuck on a dropped connection ends. */
const REQUEST_TIMEOUT_MS = 45_000;
/** Every service must have written once before a cut starts. */
const WARM_UP_MS = 30_000;
/** The CPU load outlives no scenario, even one that fails half-way. */
const CPU_LOAD_MAX_MS = 60_000;

type Cut = 'reset' | 'fin' | 'partition';
type Machine = 'quiet' | 'busy';

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
    const warmDeadline = Date.now() + WARM_UP_MS;
    while (!warm()) {
      if (Date.now() > warmDeadline) {
        running = false;
        await Promise.all(workers);
        throw new Error(
          `not every service wrote within ${WARM_UP_MS} ms before the cut (an earlier cut left it down?)`,
        );
      }
      await sleep(50);
    }
    await during();
    running = false;
    await Promise.all(workers);
    return answers;
  };

  /** Cuts every service's database the same way, per CUTS_MS; resolves when it answers again. */
  const blip = async (how: Cut): Promise<void> => {
    for (const [index, cutMs] of CUTS_MS.entries()) {
      if (index > 0) await sleep(BETWEEN_CUTS_MS);
      for (const { proxy } of targets()) {
        if (how === 'reset') proxy.cut();
        else if (how === 'fin') proxy.hangUp();
        else proxy.blackhole();
      }
      await sleep(cutMs);
      for (const { proxy } of targets()) proxy.restore();
    }
  };

  /** Every service ready and writing again within RECOVERY_MS of `since`, with no help. */
  const expectRecovered = async (since = Date.now()): Promise<string> => {
    const deadline = since + RECOVERY_MS;
    const recovered: string[] = [];
    const late = await Promise.all(
      targets().map(async (target): Promise<string | undefined> => {
        let last = 'not tried';
        for (;;) {
          const ready = await http(target.url, 'GET', '/health/ready', { timeoutMs: 2_000 }).then(
            (result) => result.status,
            () => 0,
          );
          if (ready === 200) {
            const write = await target.write();
            if (write.status === 201) {
              recovered.push(`${target.name} ${Date.now() - since} ms`);
              return undefined;
            }
            last = `ready, but a write answered ${write.status} ${write.text}`;
          } else {
            last = `/health/ready answered ${ready || 'nothing'}`;
          }
          if (Date.now() > deadline) {
            return `${target.name} was not ready and writing ${RECOVERY_MS} ms after the database answered again (last: ${last})`;
          }
          await sleep(100);
        }
      }),
    );
    expect(late.filter((message) => message !== undefined)).toEqual([]);
    for (const service of services().services) expect(service.unexpectedExits).toEqual([]);
    return recovered.join(', ');
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

  /** Every write a service confirmed with 201 can be read back from it. */
  const expectConfirmedWritesStored = async (
    answers: { name: string; result: HttpResult }[],
  ): Promise<void> => {
    const missing: string[] = [];
    for (const target of targets()) {
      for (const { result } of answers.filter(
        ({ name, result }) => name === target.name && result.status === 201,
      )) {
        const body = result.body as Json;
        const path =
          target.name === 'order'
            ? `/orders/${String(body.orderId)}`
            : `/users/${String(body.userId)}`;
        const read = await http(target.url, 'GET', path, { timeoutMs: REQUEST_TIMEOUT_MS });
        if (read.status !== 200) missing.push(`${target.name} ${path}: ${read.status}`);
      }
    }
    expect(missing).toEqual([]);
  };

  describe.each<[Cut, Machine]>([
    ['reset', 'quiet'],
    ['reset', 'busy'],
    ['fin', 'quiet'],
    ['fin', 'busy'],
    ['partition', 'quiet'],
    ['partition', 'busy'],
  ])('cut: %s, %s machine', (how, machine) => {
    scenario(
      `only 201 or 503 (with Retry-After) during the blip; every service ready and writing again within ${RECOVERY_MS} ms of the database answering`,
      async () => {
        const onMachine = (body: () => Promise<void>): Promise<void> =>
          machine === 'busy' ? CpuLoad.during(CPU_LOAD_MAX_MS, body) : body();
        let settled: { name: string; result: HttpResult }[] = [];
        let recovery = '';
        await onMachine(async () => {
          settled = await underLoad(async () => {
            await blip(how);
            recovery = await expectRecovered(Date.now());
          });
        });
        expectOnly2xxOr503(settled);
        await expectConfirmedWritesStored(settled);
        process.stdout.write(
          `[dbfaults ${how}, ${machine}] ${settled.length} writes: ` +
            `${settled.filter(({ result }) => result.status === 201).length} × 201, ` +
            `${settled.filter(({ result }) => result.status === 503).length} × 503; ` +
            `ready and writing after: ${recovery}\n`,
        );
      },
    );
  });
});
