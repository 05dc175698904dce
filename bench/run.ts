/**
 * `npm run bench [-- --engine=documentdb|sqlite|postgresql] [--quick] [--label=before] [--cpu-prof]`
 *
 * Measures the system against a floor on this machine: throughput of the five hot operations,
 * sync lag at fixed PUT rates, fan-out to 1,000 and 10,000 orders, nothing lost, and database
 * commands per operation. Writes bench/results/<label>-<backend>.{json,md,svg} and prints the
 * table. With --user-url, --order-url, --users-db-uri and --orders-db-uri it targets services
 * already running instead of starting its own (their /metrics need DB_COMMAND_STATS=true for
 * command counts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { describeFailure, log } from '@aware/harness';
import { cpuMarkdown, readProfiles } from './cpu-profile';
import { diffCommands, isBackground, scrape, type OperationCommands } from './db-commands';
import { measureThroughput, sendAtRate, type LoadRequest, type Throughput } from './load';
import {
  backendLabel,
  evaluateTargets,
  toMarkdown,
  toSvg,
  type BenchResult,
  type CommandsPerRun,
  type FanOutRow,
  type LagResult,
  type OperationCommandsResult,
  type OperationResult,
} from './report';
import { BACKENDS, startTarget, type BackendName, type BenchTarget } from './stack';
import {
  backgroundQuiet,
  BENCH_ADDRESS,
  eventsSettled,
  eventTotals,
  OrderVersionWatcher,
  seedOrders,
  summarise,
  waitForFanOut,
  type EventTotals,
} from './sync';

const RESULTS_DIR = join(__dirname, 'results');
const LISTED_ORDERS = 10_000;
const FAN_OUT_SIZES = [1_000, 10_000];
const LAG_RATES = [5, 20, 100];
/** The bench's own single requests (setting a phase up) wait at most this long. */
const REQUEST_TIMEOUT_MS = 30_000;

interface Settings {
  backend: BackendName;
  quick: boolean;
  label: string;
  warmupSeconds: number;
  seconds: number;
  /** Users that PUT and GET rotate over, each with one order that follows it. */
  poolSize: number;
  drainTimeoutMs: number;
  fanOutTimeoutMs: number;
  /** Services run with --cpu-prof; a summary goes next to the results. */
  cpuProfile: boolean;
  external?: { userUrl: string; orderUrl: string; usersDbUri: string; ordersDbUri: string };
}

function parseArgs(argv: string[]): Settings {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg}`);
    flags.set(match[1], match[2] ?? 'true');
  }
  // --backend is the older name of --engine.
  const chosen = flags.get('engine') ?? flags.get('backend') ?? process.env.BENCH_BACKEND;
  const backend = BACKENDS.find((name) => name === (chosen ?? 'documentdb'));
  if (!backend) throw new Error(`--engine must be one of ${BACKENDS.join(', ')}, not ${chosen}`);
  const quick = flags.get('quick') === 'true';
  const externalFlags = ['user-url', 'order-url', 'users-db-uri', 'orders-db-uri'];
  const given = externalFlags.filter((name) => flags.has(name));
  if (given.length > 0 && given.length < externalFlags.length) {
    throw new Error(`targeting running services needs all of --${externalFlags.join(', --')}`);
  }
  return {
    backend,
    quick,
    label: flags.get('label') ?? 'latest',
    cpuProfile: flags.get('cpu-prof') === 'true',
    warmupSeconds: quick ? 1 : 3,
    seconds: quick ? 3 : 10,
    poolSize: quick ? 20 : 40,
    drainTimeoutMs: quick ? 15_000 : 20_000,
    fanOutTimeoutMs: quick ? 15_000 : 45_000,
    ...(given.length > 0 && {
      external: {
        userUrl: flags.get('user-url') ?? '',
        orderUrl: flags.get('order-url') ?? '',
        usersDbUri: flags.get('users-db-uri') ?? '',
        ordersDbUri: flags.get('orders-db-uri') ?? '',
      },
    }),
  };
}

function machine(): string {
  const cpu = cpus();
  const gib = Math.round(totalmem() / 2 ** 30);
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${gib} GiB, Node ${process.version}`;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

let emailCounter = 0;
function uniqueEmail(): string {
  emailCounter += 1;
  return `bench-${process.pid}-${emailCounter}@example.com`;
}

let addressCounter = 0;
/** A new street each time, so every PUT changes the user and publishes an event. */
/** Never BENCH_ADDRESS itself: a PUT that changes nothing makes no version and no event. */
function freshAddress(): typeof BENCH_ADDRESS {
  addressCounter += 1;
  return { ...BENCH_ADDRESS, street: `${addressCounter} Moving Street` };
}

function rotating<T>(items: readonly T[]): () => T {
  let index = 0;
  return () => items[index++ % items.length];
}

function perRun(
  operation: OperationCommands | undefined,
  runs: number,
): CommandsPerRun | undefined {
  if (!operation || runs === 0) return undefined;
  return {
    commands: operation.commands / runs,
    writes: operation.writes / runs,
    ms: (operation.seconds * 1000) / runs,
  };
}

function sumOf(operations: OperationCommands[], label: string): OperationCommands {
  return {
    operation: label,
    runs: operations.reduce((sum, each) => sum + each.runs, 0),
    commands: operations.reduce((sum, each) => sum + each.commands, 0),
    writes: operations.reduce((sum, each) => sum + each.writes, 0),
    failed: operations.reduce((sum, each) => sum + each.failed, 0),
    seconds: operations.reduce((sum, each) => sum + each.seconds, 0),
    byCommand: [],
  };
}

class Bench {
  readonly operations: OperationResult[] = [];
  readonly commands: OperationCommandsResult[] = [];
  readonly lag: LagResult[] = [];
  readonly fanOut: FanOutRow[] = [];
  nothingLost = { users: 0, missing: 0 };
  readonly failures: { phase: string; error: string }[] = [];

  constructor(
    private readonly settings: Settings,
    private readonly target: BenchTarget,
    private readonly serviceOrders: Collection,
    private readonly floorDb: ReturnType<MongoClient['db']>,
    private readonly usersDb: ReturnType<MongoClient['db']>,
  ) {}

  /**
   * Runs one phase; when it breaks off (e.g. the engine refuses a write under load), says why
   * and lets the next phase run, so a long run still reports what it measured.
   */
  async phase(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const reason = describeFailure(error);
      log(`${name}: broke off: ${reason}`);
      this.failures.push({ phase: name, error: reason });
    }
  }

  private get metricsUrls(): string[] {
    return [...this.target.metricsUrls.users, this.target.metricsUrls.order];
  }

  /** Runs `work` between two scrapes and records the commands of `route` and around it. */
  async counted<T>(
    phase: string,
    route: string | undefined,
    work: () => Promise<T>,
    requestsOf: (result: T) => number,
  ): Promise<T> {
    const before = await scrape(this.metricsUrls);
    const result = await work();
    // Let the relay and the consumer finish what the phase started before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const operations = diffCommands(before, await scrape(this.metricsUrls));
    const requests = requestsOf(result);
    const events = operations.filter((each) => each.operation.startsWith('event '));
    const consumed = sumOf(events, 'events');
    this.commands.push({
      phase,
      requests,
      requestPath: perRun(
        operations.find((each) => each.operation === route),
        operations.find((each) => each.operation === route)?.runs ?? 0,
      ),
      background: perRun(
        sumOf(
          operations.filter((each) => isBackground(each.operation)),
          'background',
        ),
        requests,
      ),
      consumer: perRun(consumed, consumed.runs),
      operations,
    });
    return result;
  }

  async throughput(
    name: string,
    route: string,
    write: boolean,
    service: LoadRequest,
    floor: LoadRequest,
    serviceUrl: string,
  ): Promise<void> {
    const timing = { warmupSeconds: this.settings.warmupSeconds, seconds: this.settings.seconds };
    log(`${name}: service`);
    const measured = await this.counted(
      name,
      route,
      () => measureThroughput(serviceUrl, service, timing, this.target.processes),
      (result: Throughput) => result.ok,
    );
    // The floor from a quiet machine too: on a slow engine the relay and the consumer are still
    // working off the service's phase, and would slow the floor instead.
    const quiet = await backgroundQuiet(
      () => eventTotals(this.target.metricsUrls),
      Date.now() + this.settings.fanOutTimeoutMs * 2,
    );
    if (!quiet) log(`${name}: the services were still busy when the floor started`);
    log(`${name}: floor`);
    const floorResult = await measureThroughput(
      this.target.floorUrl,
      floor,
      timing,
      this.target.processes,
    );
    this.operations.push({ name, write, service: measured, floor: floorResult });
    log(
      `${name}: ${measured.rate.toFixed(1)} req/s (floor ${floorResult.rate.toFixed(1)}), ` +
        `${measured.errors} errors`,
    );
  }

  async poolUsers(): Promise<string[]> {
    const existing = (await this.usersDb.collection('users').distinct('userId')) as string[];
    const pool = existing.slice(0, this.settings.poolSize);
    while (pool.length < this.settings.poolSize) {
      pool.push(await this.createUser());
    }
    return pool;
  }

  async createUser(): Promise<string> {
    const response = await fetch(`${this.target.userUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ emails: [uniqueEmail()], deliveryAddress: BENCH_ADDRESS }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 201) throw new Error(`POST /users answered ${response.status}`);
    return ((await response.json()) as { userId: string }).userId;
  }

  async put(userId: string): Promise<{ version: number; answeredAt: number }> {
    const response = await fetch(`${this.target.userUrl}/users/${userId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deliveryAddress: freshAddress() }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answeredAt = Date.now();
    if (response.status !== 200) throw new Error(`PUT /users answered ${response.status}`);
    return { version: ((await response.json()) as { version: number }).version, answeredAt };
  }

  async syncLag(pool: string[], watcher: OrderVersionWatcher): Promise<void> {
    for (const perSecond of LAG_RATES) {
      const phase = `sync lag at ${perSecond} PUT/s`;
      // From a quiet consumer: events of earlier phases must not queue ahead of these.
      await eventsSettled(
        () => eventTotals(this.target.metricsUrls),
        Date.now() + this.settings.fanOutTimeoutMs,
      );
      log(phase);
      const next = rotating(pool);
      const sent = await this.counted(
        phase,
        'PUT /users/:userId',
        () =>
          sendAtRate(
            this.target.userUrl,
            perSecond,
            this.settings.seconds,
            () => ({ userId: next(), body: { deliveryAddress: freshAddress() } }),
            (put) => watcher.expect(put),
          ),
        (result) => result.ok,
      );
      const missing = await watcher.drain(this.settings.drainTimeoutMs);
      const lags = summarise(watcher.takeLags());
      this.lag.push({
        ...lags,
        offeredPerSecond: perSecond,
        achievedPerSecond: sent.achievedPerSecond,
        errors: sent.errors,
        missing,
      });
      log(`${phase}: p50 ${lags.p50Ms} ms, p99 ${lags.p99Ms} ms, ${missing} missing`);
    }
  }

  /** Every pool user's order must end at the user's current version. */
  async checkNothingLost(pool: string[], watcher: OrderVersionWatcher): Promise<void> {
    for (const userId of pool) {
      const response = await fetch(`${this.target.userUrl}/users/${userId}`);
      const { version } = (await response.json()) as { version: number };
      watcher.expect({ userId, version, answeredAt: Date.now() });
    }
    const missing = await watcher.drain(this.settings.drainTimeoutMs);
    watcher.takeLags();
    this.nothingLost = { users: pool.length, missing };
    log(`nothing lost: ${missing} of ${pool.length} users' orders behind`);
  }

  /**
   * Bounded as a whole: creating the user, seeding and waiting for a quiet consumer wait behind
   * the engine's backlog too. Past the setup budget it gives up before the PUT, so nothing of it
   * keeps running into the next phase.
   */
  async fanOutTo(size: number): Promise<void> {
    const setupDeadline = Date.now() + this.settings.fanOutTimeoutMs * 2;
    const row = await this.measureFanOut(size, setupDeadline);
    if (row !== 'gave up') {
      this.fanOut.push(row);
      return;
    }
    log(`fan-out to ${size}: gave up while setting up (the engine did not keep up)`);
    this.fanOut.push({
      service: {
        orders: size,
        seconds: Number.NaN,
        completed: false,
        updated: 0,
        estimatedSeconds: Number.POSITIVE_INFINITY,
      },
      floorSeconds: Number.NaN,
    });
  }

  private async measureFanOut(size: number, setupDeadline: number): Promise<FanOutRow | 'gave up'> {
    log(`fan-out to ${size} orders`);
    const totals = (): Promise<EventTotals> => eventTotals(this.target.metricsUrls);
    // An engine still busy with the previous phase would make every step below wait on it.
    if (!(await eventsSettled(totals, setupDeadline))) return 'gave up';
    const userId = await this.createUser();
    // At the created version already, so the user.created event changes none of them.
    const seeded = await seedOrders(this.serviceOrders, size, () => userId, 1, setupDeadline);
    // Timed from a quiet consumer: the user.created event (and anything before it) is done.
    if (!seeded || !(await eventsSettled(totals, setupDeadline))) return 'gave up';
    const { published } = await totals();
    const { version, answeredAt } = await this.put(userId);
    const service = await waitForFanOut(
      this.serviceOrders,
      { userId, version, total: size, answeredAt },
      totals,
      published,
      this.settings.fanOutTimeoutMs,
    );
    const floorOrders = this.floorDb.collection('orders');
    const floorUser = `fan-out-${size}`;
    await seedOrders(floorOrders, size, () => floorUser, 1);
    const started = performance.now();
    // Bounded like the service's wait; a floor that does not finish reads "—".
    const floorDone = await floorOrders
      .updateMany(
        { userId: floorUser, userVersion: { $lt: 2 } },
        { $set: { deliveryAddress: freshAddress(), userVersion: 2, updatedAt: new Date() } },
        { timeoutMS: this.settings.fanOutTimeoutMs },
      )
      .then(
        () => true,
        () => false,
      );
    const floorSeconds = floorDone ? (performance.now() - started) / 1000 : Number.NaN;
    log(`fan-out to ${size}: ${service.seconds.toFixed(2)} s (completed: ${service.completed})`);
    return { service, floorSeconds };
  }
}

function userBody(): unknown {
  return { emails: [uniqueEmail()], deliveryAddress: BENCH_ADDRESS };
}

function orderBody(userId: string): unknown {
  return {
    userId,
    items: [{ itemId: 'sku-1', quantity: 2, price: 9.99 }],
    userEmails: ['bench@example.com'],
    deliveryAddress: BENCH_ADDRESS,
  };
}

async function runBench(settings: Settings, target: BenchTarget): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const ordersClient = await new MongoClient(target.ordersDbUri).connect();
  const usersClient = await new MongoClient(target.usersDbUri).connect();
  const floorClient = await new MongoClient(target.floorDbUri).connect();
  const serviceOrders = ordersClient.db().collection('orders');
  const floorDb = floorClient.db();
  const bench = new Bench(settings, target, serviceOrders, floorDb, usersClient.db());
  const watcher = new OrderVersionWatcher(serviceOrders);
  try {
    const post = (): LoadRequest => ({
      method: 'POST',
      next: () => ({ path: '/users', body: userBody() }),
    });
    await bench.phase('POST /users', () =>
      bench.throughput('POST /users', 'POST /users', true, post(), post(), target.userUrl),
    );

    // Pool users with one order each, while the orders collection is small: the lag watcher
    // polls it.
    let pool: string[] = [];
    let floorPool: string[] = [];
    await bench.phase('pool users', async () => {
      pool = await bench.poolUsers();
      await seedOrders(serviceOrders, pool.length, (index) => pool[index], 0);
      floorPool = ((await floorDb.collection('users').distinct('userId')) as string[]).slice(
        0,
        settings.poolSize,
      );
    });
    watcher.start();
    await bench.phase('sync lag', () => bench.syncLag(pool, watcher));

    const put = (users: string[]): LoadRequest => {
      const next = rotating(users);
      return {
        method: 'PUT',
        next: () => ({ path: `/users/${next()}`, body: { deliveryAddress: freshAddress() } }),
      };
    };
    await bench.phase('PUT /users/{id}', () =>
      bench.throughput(
        'PUT /users/{id}',
        'PUT /users/:userId',
        true,
        put(pool),
        put(floorPool),
        target.userUrl,
      ),
    );
    const get = (users: string[]): LoadRequest => {
      const next = rotating(users);
      return { method: 'GET', next: () => ({ path: `/users/${next()}` }) };
    };
    await bench.phase('GET /users/{id}', () =>
      bench.throughput(
        'GET /users/{id}',
        'GET /users/:userId',
        false,
        get(pool),
        get(floorPool),
        target.userUrl,
      ),
    );
    await bench.phase('nothing lost', () => bench.checkNothingLost(pool, watcher));
    await watcher.stop();

    const order = (users: string[]): LoadRequest => {
      const next = rotating(users);
      return { method: 'POST', next: () => ({ path: '/orders', body: orderBody(next()) }) };
    };
    await bench.phase('POST /orders', () =>
      bench.throughput(
        'POST /orders',
        'POST /orders',
        true,
        order(pool),
        order(floorPool),
        target.orderUrl,
      ),
    );

    for (const size of FAN_OUT_SIZES) {
      await bench.phase(`fan-out to ${size}`, () => bench.fanOutTo(size));
    }

    // Last: on an engine that cannot push the sort down, abandoned listings keep it busy.
    await bench.phase('GET /orders?status', async () => {
      await seedOrders(serviceOrders, LISTED_ORDERS, () => undefined, 0);
      await seedOrders(floorDb.collection('orders'), LISTED_ORDERS, () => undefined, 0);
      const list = (): LoadRequest => ({
        method: 'GET',
        next: () => ({ path: '/orders?status=under%20process&limit=100' }),
      });
      await bench.throughput(
        'GET /orders?status (100 per page)',
        'GET /orders',
        false,
        list(),
        list(),
        target.orderUrl,
      );
    });
  } finally {
    await watcher.stop();
    await Promise.all([ordersClient.close(), usersClient.close(), floorClient.close()]);
  }
  const result = {
    label: settings.label,
    backend: settings.backend,
    engine: target.engine,
    startedAt,
    commit: gitCommit(),
    machine: machine(),
    cores: cpus().length,
    quick: settings.quick,
    operations: bench.operations,
    lag: bench.lag,
    fanOut: bench.fanOut,
    nothingLost: bench.nothingLost,
    commands: bench.commands,
    failures: bench.failures,
  };
  return { ...result, targets: evaluateTargets(result) };
}

async function main(): Promise<number> {
  const settings = parseArgs(process.argv.slice(2));
  const base = join(RESULTS_DIR, `${settings.label}-${settings.backend}`);
  // Raw artefacts of the run (profiles, service output): for reading, not committed.
  const rawDir = join(RESULTS_DIR, 'raw', `${settings.label}-${settings.backend}`);
  rmSync(rawDir, { recursive: true, force: true });
  const target = await startTarget({
    backend: settings.backend,
    external: settings.external,
    ...(settings.cpuProfile && { cpuProfileDir: rawDir }),
  });
  let result: BenchResult;
  try {
    result = await runBench(settings, target);
  } finally {
    await target.stop();
    mkdirSync(rawDir, { recursive: true });
    for (const [service, output] of Object.entries(target.serviceOutput())) {
      writeFileSync(join(rawDir, `${service}.log`), `${output}\n`);
    }
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (settings.cpuProfile) {
    const cpu = cpuMarkdown(
      `${settings.label}, ${backendLabel(settings.backend)}`,
      readProfiles(rawDir, ['user-v1', 'user-v2', 'order']),
    );
    writeFileSync(`${base}-cpu.md`, cpu);
    process.stdout.write(`\n${cpu}\nWritten: ${base}-cpu.md\n`);
  }
  const markdown = toMarkdown(result);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.svg`, toSvg(result));
  process.stdout.write(`\n${markdown}\nWritten: ${base}.{json,md,svg}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\n${describeFailure(error)}\n`);
    process.exit(1);
  },
);
