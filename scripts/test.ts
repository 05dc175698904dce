/**
 * `npm test [-- --engine=documentdb|ferretdb-sqlite] [-- <jest args>]`: finds or starts MongoDB, checks RabbitMQ, runs Jest (both the unit
 * and the e2e project) against them, and stops whatever it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  describeFailure,
  ensureMongo,
  ensureRabbit,
  exitCodeOf,
  signalExitCode,
  takeEngineOption,
  type MongoHandle,
} from '@aware/harness';

const JEST = require.resolve('jest/bin/jest');
const NEST = require.resolve('@nestjs/cli/bin/nest.js');
/** Cross-service and fault tests run the built services as child processes. */
const SERVICES = ['user-v1', 'user-v2', 'order'];

function buildServices(): void {
  for (const app of SERVICES) {
    const build = spawnSync(process.execPath, [NEST, 'build', app], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error(`nest build ${app} failed`);
  }
}

let mongo: MongoHandle | undefined;
let jest: ChildProcess | undefined;
let stopping = false;

/**
 * While Jest runs, it gets the signal (a terminal's Ctrl-C reaches it anyway; a second one is
 * harmless) and cleanup follows its exit; before that, clean up and leave at once.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (jest) {
    jest.kill(signal);
    return;
  }
  void shutdown(signalExitCode(signal));
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await mongo?.stop().catch(() => undefined);
  }
  process.exit(code);
}

async function main(): Promise<number> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // RabbitMQ first: it is a quick check, while MongoDB may mean building FerretDB.
  const jestArgs = process.argv.slice(2);
  const engine = takeEngineOption(jestArgs);
  const amqpUrl = await ensureRabbit();
  mongo = await ensureMongo(undefined, engine);
  buildServices();
  // Worker count is Jest's default (cores − 1). Measured on this 2-core machine against FerretDB:
  // 2 workers and in-band take the same time (ts-jest compiles per worker), and the default runs
  // in band there; suites use throwaway databases and topology prefixes, so wider machines may
  // run them in parallel. Pass -i / -w to override.
  jest = spawn(process.execPath, [JEST, ...jestArgs], {
    stdio: 'inherit',
    env: { ...process.env, MONGO_URI: mongo.uri, AMQP_URL: amqpUrl },
  });
  return exitCodeOf(jest);
}

main().then(shutdown, (error: unknown) => {
  process.stderr.write(`\n${describeFailure(error)}\n`);
  return shutdown(1);
});
