/**
 * `npm run dev`: finds or starts MongoDB (a started one lives as long as this command), checks
 * RabbitMQ, runs user-v1, user-v2 and order with `nest start --watch`, their output prefixed, and
 * builds the ops CLI. `npm run dev -- --seed` also seeds the sample data once the services are up.
 * Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadEnvFile } from '@aware/common';
import {
  DEFAULT_AMQP_URL,
  describeFailure,
  ENGINES,
  ensureMongo,
  errorMessage,
  exitCodeOf,
  InfraError,
  isPortFree,
  log,
  maskCredentials,
  probeRabbit,
  rabbitHelp,
  signalProcess,
  takeEngineOption,
  terminate,
  withDatabase,
  type EngineName,
  type MongoHandle,
} from '@aware/harness';

const NEST = require.resolve('@nestjs/cli/bin/nest.js');
const OPS_CLI = join(__dirname, '..', 'dist', 'apps', 'ops', 'main.js');

/** What writes the lines that carry its label. */
interface OutputSource {
  name: string;
  color: string;
}

interface AppSpec extends OutputSource {
  portEnv: string;
  defaultPort: number;
  database: string;
}

const APPS: readonly AppSpec[] = [
  { name: 'user-v1', portEnv: 'USER_V1_PORT', defaultPort: 3001, database: 'users', color: '36' },
  { name: 'user-v2', portEnv: 'USER_V2_PORT', defaultPort: 3002, database: 'users', color: '35' },
  { name: 'order', portEnv: 'ORDER_PORT', defaultPort: 3003, database: 'orders', color: '33' },
];
const OPS: OutputSource = { name: 'ops', color: '32' };

interface RunningApp {
  spec: AppSpec;
  port: number;
  child: ChildProcess;
}

// Process-wide state, shared with the signal handlers.
let mongo: MongoHandle | undefined;
const running: RunningApp[] = [];
/** The ops CLI's build and seed, stopped with the apps if still running. */
const oneShots = new Set<ChildProcess>();
const appsUp = new Set<string>();
let allAppsUp: () => void;
const allAppsAreUp = new Promise<void>((resolve) => (allAppsUp = resolve));
let stopping = false;

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const labelWidth = Math.max(...APPS.map((app) => app.name.length));

/**
 * The apps write to a pipe, so tell them whether our output is a terminal: colors there, plain
 * text in a log file. An explicit FORCE_COLOR / NO_COLOR from the caller wins.
 */
function colorEnvironment(): NodeJS.ProcessEnv {
  if (process.env.FORCE_COLOR !== undefined || process.env.NO_COLOR !== undefined) return {};
  return useColor ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' };
}

function label(source: OutputSource): string {
  const text = `[${source.name}]`.padEnd(labelWidth + 2);
  return useColor ? `\x1b[${source.color}m${text}\x1b[0m` : text;
}

function parseOptions(): { seed: boolean; engine?: EngineName } {
  const usage = `usage: npm run dev [-- --seed] [--engine=${ENGINES.join('|')}]`;
  try {
    const args = process.argv.slice(2);
    const engine = takeEngineOption(args);
    const { values } = parseArgs({ args, options: { seed: { type: 'boolean', default: false } } });
    return { seed: values.seed, engine };
  } catch (error) {
    throw new InfraError(`${errorMessage(error)}\n${usage}`);
  }
}

function portOf(spec: AppSpec): number {
  const raw = process.env[spec.portEnv];
  if (raw === undefined || raw === '') return spec.defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InfraError(`${spec.portEnv}=${raw} is not a TCP port (1–65535).`);
  }
  return port;
}

/** Refuses to start when a port is taken, instead of letting one app die with EADDRINUSE. */
async function checkPorts(ports: ReadonlyMap<AppSpec, number>): Promise<void> {
  for (const [spec, port] of ports) {
    if (!(await isPortFree(port))) {
      throw new InfraError(
        `Port ${port} for ${spec.name} is in use; stop what uses it or set ${spec.portEnv}.`,
      );
    }
  }
}

function swaggerUrl(port: number): string {
  return `http://localhost:${port}/docs`;
}

/** Each output line, prefixed with its source's name. */
function relay(
  stream: Readable,
  target: NodeJS.WriteStream,
  source: OutputSource,
  onLine: (line: string) => void = () => undefined,
): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    // nest-cli frames its notices with blank lines: labelled, they are only noise.
    if (line.trim() === '') return;
    target.write(`${label(source)} ${line}\n`);
    onLine(line);
  });
}

/** Readiness is announced with the Swagger UI's URL; the seed waits for all three. */
function watchReadiness(app: RunningApp): (line: string) => void {
  return (line) => {
    if (!line.includes('listening on :')) return;
    log(`${app.spec.name} is up — Swagger UI: ${swaggerUrl(app.port)}`);
    appsUp.add(app.spec.name);
    if (appsUp.size === APPS.length) allAppsUp();
  };
}

function startApp(spec: AppSpec, port: number, mongo: MongoHandle, amqpUrl: string): RunningApp {
  const child = spawn(process.execPath, [NEST, 'start', spec.name, '--watch'], {
    env: {
      ...process.env,
      PORT: String(port),
      MONGO_URI: withDatabase(mongo.uri, spec.database),
      AMQP_URL: amqpUrl,
      ...colorEnvironment(),
    },
    // Own process group, so stopping it also stops the app process `nest start` runs.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app: RunningApp = { spec, port, child };
  relay(child.stdout, process.stdout, spec, watchReadiness(app));
  relay(child.stderr, process.stderr, spec);
  void exitCodeOf(child).then((code) => {
    if (!stopping) log(`${spec.name} exited (code ${code}); the others keep running`);
  });
  return app;
}

interface OpsEnvironment {
  USERS_MONGO_URI: string;
  ORDERS_MONGO_URI: string;
  AMQP_URL: string;
}

/** Runs the ops CLI's build or one of its commands; true when it exits 0. */
function runOps(args: string[], env: Partial<OpsEnvironment>): Promise<boolean> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, ...colorEnvironment() },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  oneShots.add(child);
  relay(child.stdout, process.stdout, OPS);
  relay(child.stderr, process.stderr, OPS);
  return exitCodeOf(child).then((code) => {
    oneShots.delete(child);
    return code === 0;
  });
}

function opsEnvironment(mongo: MongoHandle, amqpUrl: string): OpsEnvironment {
  return {
    USERS_MONGO_URI: withDatabase(mongo.uri, 'users'),
    ORDERS_MONGO_URI: withDatabase(mongo.uri, 'orders'),
    AMQP_URL: amqpUrl,
  };
}

/** The ops CLI, so `npm run db:seed` and the other ops commands work next to the services. */
async function buildOps(mongo: MongoHandle, amqpUrl: string): Promise<boolean> {
  const built = await runOps([NEST, 'build', 'ops'], {});
  if (!built) {
    log('the ops CLI did not build; `npm run db:seed` and the other ops commands need it');
    return false;
  }
  const env = opsEnvironment(mongo, amqpUrl);
  log('ops CLI built; on these databases, e.g.:');
  log(
    `  USERS_MONGO_URI=${maskCredentials(env.USERS_MONGO_URI)} ` +
      `ORDERS_MONGO_URI=${maskCredentials(env.ORDERS_MONGO_URI)} npm run db:seed`,
  );
  return true;
}

/** db:seed inserts only what is missing, so a database that has data keeps it. */
async function seed(
  mongo: MongoHandle,
  amqpUrl: string,
  opsBuilt: Promise<boolean>,
): Promise<void> {
  const [built] = await Promise.all([opsBuilt, allAppsAreUp]);
  if (!built || stopping) return;
  log('seeding the sample users and orders (db:seed)');
  if (!(await runOps([OPS_CLI, 'db:seed'], opsEnvironment(mongo, amqpUrl))) && !stopping) {
    log('db:seed failed (see above); the services keep running');
  }
}

/** First Ctrl-C: graceful stop of the apps, then of a MongoDB we started. Second: kill now. */
async function stopAll(code: number): Promise<never> {
  if (stopping) {
    for (const child of [...running.map((app) => app.child), ...oneShots]) {
      signalProcess(child, 'SIGKILL');
    }
    process.exit(code);
  }
  stopping = true;
  if (running.length > 0) log('stopping…');
  await Promise.all([
    ...running.map((app) => terminate(app.child, 10_000)),
    ...[...oneShots].map((child) => terminate(child)),
  ]);
  await mongo?.stop().catch(() => undefined);
  process.exit(code);
}

async function warnIfRabbitDown(amqpUrl: string): Promise<void> {
  const reason = await probeRabbit(amqpUrl);
  if (reason === undefined) return;
  log(`WARNING: ${rabbitHelp(amqpUrl, reason).replace(/\n/g, '\n[infra]   ')}`);
  log('WARNING: the apps start anyway, but user events need RabbitMQ.');
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const options = parseOptions();
  // The ports, MONGO_URI and AMQP_URL may come from .env, as the apps' other variables do.
  await loadEnvFile();
  const ports = new Map(APPS.map((spec) => [spec, portOf(spec)] as const));
  await checkPorts(ports);
  const amqpUrl = process.env.AMQP_URL || DEFAULT_AMQP_URL;
  await warnIfRabbitDown(amqpUrl);
  mongo = await ensureMongo(undefined, options.engine);
  for (const [spec, port] of ports) running.push(startApp(spec, port, mongo, amqpUrl));
  const opsBuilt = buildOps(mongo, amqpUrl);
  if (options.seed) void seed(mongo, amqpUrl, opsBuilt);
  log('Swagger UI (once each app has compiled and started):');
  for (const app of running) log(`  ${app.spec.name.padEnd(labelWidth)}  ${swaggerUrl(app.port)}`);
  if (options.seed) log('--seed: the sample data is seeded once the three services are up.');
  log('Ctrl-C stops everything.');
  await Promise.all(running.map((app) => exitCodeOf(app.child)));
  // Every app has exited by itself (not via Ctrl-C): nothing left to watch.
  await stopAll(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`
${describeFailure(error)}
`);
  return stopAll(1);
});
