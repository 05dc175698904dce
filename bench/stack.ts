/**
 * What the bench runs against: a throwaway engine (FerretDB 2 + DocumentDB on its own PostgreSQL
 * 15 cluster, or FerretDB 1.24 on SQLite or the machine's PostgreSQL), user-v1,
 * user-v2 and order as processes from the built bundles on an isolated topology prefix of the
 * machine's RabbitMQ, and the floor server — or services already running, given by URLs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import {
  deleteTopology,
  ensureRabbit,
  freePort,
  LIFELINE,
  log,
  newestSourceMtime,
  runCommand,
  ServiceProcess,
  sleep,
  startDocumentDb,
  startFerretDb,
  terminate,
  withDatabase,
  type AppName,
  type FerretDbBackend,
  type MongoHandle,
} from '@aware/harness';
import { pidsNamed, processTree, type ProcessGroups } from './process-cpu';

const ROOT = join(__dirname, '..');
const NEST = require.resolve('@nestjs/cli/bin/nest.js');
const APPS: AppName[] = ['user-v1', 'user-v2', 'order'];
const POSTGRESQL_SERVER = 'postgres://127.0.0.1:5432';

/** The engine: DocumentDB (FerretDB 2.5), or FerretDB 1.24 on SQLite or PostgreSQL. */
export type BackendName = 'documentdb' | 'sqlite' | 'postgresql';
export const BACKENDS: readonly BackendName[] = ['documentdb', 'sqlite', 'postgresql'];

/** Where the bench sends load and reads state. */
export interface BenchTarget {
  userUrl: string;
  orderUrl: string;
  /** Scraped for db_commands_total (bench mode); absent when targeting services without it. */
  metricsUrls: { users: string[]; order: string };
  /** What each service process printed (warnings and errors at the bench's log level). */
  serviceOutput(): Record<string, string>;
  ordersDbUri: string;
  usersDbUri: string;
  floorUrl: string;
  floorDbUri: string;
  engine: string;
  /** Whose CPU time each throughput phase reads (process-cpu.ts). */
  processes: ProcessGroups;
  stop(): Promise<void>;
}

const pidsOf = (...pids: (number | undefined)[]): (() => number[]) => {
  const known = pids.filter((pid): pid is number => pid !== undefined);
  return () => known;
};

/** Processes every target shares: the load generator (this process) and the broker. */
function sharedProcesses(backend: BackendName): ProcessGroups {
  return {
    'bench (load)': pidsOf(process.pid),
    RabbitMQ: () => pidsNamed('beam.smp'),
    ...(backend === 'postgresql' && { PostgreSQL: () => pidsNamed('postgres') }),
  };
}

/** Rebuilds each app whose bundle is missing or older than its sources. */
function buildIfNeeded(): void {
  const libs = newestSourceMtime(join(ROOT, 'libs'));
  for (const app of APPS) {
    const bundle = join(ROOT, 'dist', 'apps', app, 'main.js');
    const sources = Math.max(libs, newestSourceMtime(join(ROOT, 'apps', app, 'src')));
    if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) continue;
    log(`building ${app} (bundle missing or older than its sources)`);
    const build = spawnSync(process.execPath, [NEST, 'build', app], {
      stdio: 'inherit',
      cwd: ROOT,
    });
    if (build.status !== 0) throw new Error(`nest build ${app} failed`);
    // webpack leaves an unchanged bundle unwritten (a change elsewhere in libs/ need not reach
    // this app): the bundle's time then says it was built from the sources as they are now.
    const now = new Date();
    utimesSync(bundle, now, now);
  }
}

async function psql(sql: string): Promise<void> {
  const result = await runCommand('psql', [
    `${POSTGRESQL_SERVER}/postgres`,
    '-v',
    'ON_ERROR_STOP=1',
    '-qc',
    sql,
  ]);
  if (result.code !== 0) throw new Error(`psql failed: ${result.stderr.trim()}`);
}

/** A FerretDB on its own data: a temp dir (SQLite) or a database created for this run. */
async function startEngine(backend: BackendName, runId: string): Promise<MongoHandle> {
  if (backend === 'documentdb') return startDocumentDb();
  if (backend === 'sqlite') return startFerretDb('the bench measures FerretDB');
  const database = `aware_bench_${runId}`;
  await psql(`CREATE DATABASE ${database}`);
  const engine: FerretDbBackend = { kind: 'postgresql', url: `${POSTGRESQL_SERVER}/${database}` };
  try {
    const ferret = await startFerretDb('the bench measures FerretDB', { backend: engine });
    return {
      ...ferret,
      stop: async () => {
        await ferret.stop();
        await psql(`DROP DATABASE IF EXISTS ${database}`);
      },
    };
  } catch (error) {
    await psql(`DROP DATABASE IF EXISTS ${database}`);
    throw error;
  }
}

/** The floor server as its own process, like the services, so it competes for the same CPUs. */
async function startFloor(mongoUri: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      // The services' lifeline: the floor dies with the bench however the bench ends.
      '--require',
      LIFELINE,
      '--require',
      'ts-node/register/transpile-only',
      join(__dirname, 'floor-server.ts'),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, FLOOR_MONGO_URI: mongoUri, PORT: String(port) },
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ready = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, process: child };
    await sleep(100);
  }
  await terminate(child);
  throw new Error('the floor server did not start');
}

interface StartOptions {
  backend: BackendName;
  /** Services already running, with their orders/users databases (no processes started). */
  external?: { userUrl: string; orderUrl: string; usersDbUri: string; ordersDbUri: string };
  /** Each service writes a V8 CPU profile under `<dir>/<app>/` when it stops. */
  cpuProfileDir?: string;
}

export async function startTarget(options: StartOptions): Promise<BenchTarget> {
  const runId = randomBytes(4).toString('hex');
  if (options.external) {
    const { userUrl, orderUrl, ordersDbUri } = options.external;
    const floorDbUri = withDatabase(ordersDbUri, `bench_floor_${runId}`);
    const floor = await startFloor(floorDbUri);
    return {
      ...options.external,
      metricsUrls: { users: [`${userUrl}/metrics`], order: `${orderUrl}/metrics` },
      floorUrl: floor.url,
      floorDbUri,
      engine: 'external services',
      processes: { ...sharedProcesses(options.backend), floor: pidsOf(floor.process.pid) },
      serviceOutput: () => ({}),
      stop: () => terminate(floor.process),
    };
  }

  const amqpUrl = await ensureRabbit();
  // Signals end the run through exit handlers, which stop FerretDB and the child processes.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => process.exit(130));
  buildIfNeeded();
  const engine = await startEngine(options.backend, runId);
  const prefix = `bench-${runId}`;
  const usersDbUri = withDatabase(engine.uri, 'bench_users');
  const ordersDbUri = withDatabase(engine.uri, 'bench_orders');
  const floorDbUri = withDatabase(engine.uri, 'bench_floor');
  const common = {
    AMQP_URL: amqpUrl,
    AMQP_TOPOLOGY_PREFIX: prefix,
    // The services' own defaults: one JSON line per request and per event is part of the cost
    // measured, and the lines land in bench/results/raw for reading a run afterwards.
    LOG_LEVEL: 'log',
    LOG_FORMAT: 'json',
    DB_COMMAND_STATS: 'true',
  };
  const service = (app: AppName, mongoUri: string): ServiceProcess =>
    new ServiceProcess({
      app,
      env: { ...common, MONGO_URI: mongoUri },
      keepLines: 2_000_000,
      ...(options.cpuProfileDir && {
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, app)}`],
      }),
    });
  const services = {
    v1: service('user-v1', usersDbUri),
    v2: service('user-v2', usersDbUri),
    order: service('order', ordersDbUri),
  };
  const all = Object.values(services);
  let floor: { url: string; process: ChildProcess } | undefined;
  const stop = async (): Promise<void> => {
    await Promise.allSettled(all.map((service) => service.stop()));
    if (floor) await terminate(floor.process);
    await deleteTopology(prefix, amqpUrl).catch((error: unknown) =>
      log(`could not delete topology ${prefix}: ${String(error)}`),
    );
    await engine.stop();
  };
  try {
    log(`engine: ${engine.kind}; topology prefix ${prefix}`);
    await Promise.all(all.map((service) => service.start(60_000)));
    floor = await startFloor(floorDbUri);
  } catch (error) {
    for (const service of all) service.printOutput('output (start failed)');
    await stop();
    throw error;
  }
  return {
    userUrl: services.v2.url,
    orderUrl: services.order.url,
    // Both user services: either relay may publish what the other wrote.
    metricsUrls: {
      users: [`${services.v1.url}/metrics`, `${services.v2.url}/metrics`],
      order: `${services.order.url}/metrics`,
    },
    usersDbUri,
    ordersDbUri,
    floorUrl: floor.url,
    floorDbUri,
    engine: engine.kind.replace(/, pid \d+/, ''),
    processes: {
      'user-v1': pidsOf(services.v1.pid),
      'user-v2': pidsOf(services.v2.pid),
      order: pidsOf(services.order.pid),
      FerretDB: pidsOf(engine.pid),
      ...sharedProcesses(options.backend),
      // Its own cluster: the postmaster and its backends, not the machine's other PostgreSQL.
      ...(engine.postgresPid !== undefined && {
        PostgreSQL: () => processTree(engine.postgresPid as number),
      }),
      floor: pidsOf(floor.process.pid),
    },
    serviceOutput: () => Object.fromEntries(all.map((each) => [each.name, each.output()])),
    stop,
  };
}
