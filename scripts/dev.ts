/**
 * `npm run dev`: finds or starts MongoDB (a started one lives as long as this command), checks
 * RabbitMQ, and runs user-v1, user-v2 and order with `nest start --watch`, their output prefixed.
 * Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  DEFAULT_AMQP_URL,
  ensureMongo,
  InfraError,
  log,
  probeRabbit,
  rabbitHelp,
  withDatabase,
  type MongoHandle,
} from './infra';
import { describeFailure, exitCodeOf, isPortFree, signalProcess, terminate } from './infra/util';
import { loadEnvFile } from '../libs/common/src/config/env-file';

const NEST = require.resolve('@nestjs/cli/bin/nest.js');

interface AppSpec {
  name: string;
  portEnv: string;
  defaultPort: number;
  database: string;
  color: string;
}

const APPS: readonly AppSpec[] = [
  { name: 'user-v1', portEnv: 'USER_V1_PORT', defaultPort: 3001, database: 'users', color: '36' },
  { name: 'user-v2', portEnv: 'USER_V2_PORT', defaultPort: 3002, database: 'users', color: '35' },
  { name: 'order', portEnv: 'ORDER_PORT', defaultPort: 3003, database: 'orders', color: '33' },
];

interface RunningApp {
  spec: AppSpec;
  port: number;
  child: ChildProcess;
}

// Process-wide state, shared with the signal handlers.
let mongo: MongoHandle | undefined;
const running: RunningApp[] = [];
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

function label(spec: AppSpec): string {
  const text = `[${spec.name}]`.padEnd(labelWidth + 2);
  return useColor ? `\x1b[${spec.color}m${text}\x1b[0m` : text;
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

/** Each output line of the app, prefixed with its name; readiness is announced with its URL. */
function relay(stream: Readable, target: NodeJS.WriteStream, app: RunningApp): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    target.write(`${label(app.spec)} ${line}\n`);
    if (line.includes('listening on :')) {
      log(`${app.spec.name} is up — Swagger UI: ${swaggerUrl(app.port)}`);
    }
  });
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
  relay(child.stdout, process.stdout, app);
  relay(child.stderr, process.stderr, app);
  void exitCodeOf(child).then((code) => {
    if (!stopping) log(`${spec.name} exited (code ${code}); the others keep running`);
  });
  return app;
}

/** First Ctrl-C: graceful stop of the apps, then of a MongoDB we started. Second: kill now. */
async function stopAll(code: number): Promise<never> {
  if (stopping) {
    for (const app of running) signalProcess(app.child, 'SIGKILL');
    process.exit(code);
  }
  stopping = true;
  if (running.length > 0) log('stopping…');
  await Promise.all(running.map((app) => terminate(app.child, 10_000)));
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
  // The ports, MONGO_URI and AMQP_URL may come from .env, as the apps' other variables do.
  await loadEnvFile();
  const ports = new Map(APPS.map((spec) => [spec, portOf(spec)] as const));
  await checkPorts(ports);
  const amqpUrl = process.env.AMQP_URL || DEFAULT_AMQP_URL;
  await warnIfRabbitDown(amqpUrl);
  mongo = await ensureMongo();
  for (const [spec, port] of ports) running.push(startApp(spec, port, mongo, amqpUrl));
  log('Swagger UI (once each app has compiled and started):');
  for (const app of running) log(`  ${app.spec.name.padEnd(labelWidth)}  ${swaggerUrl(app.port)}`);
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
