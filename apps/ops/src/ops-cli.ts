import { ConfigError } from '@aware/common';
import { dbSeedCommand } from './commands/db-seed.command';
import { dbSetupCommand } from './commands/db-setup.command';
import { dlqReplayCommand } from './commands/dlq-replay.command';
import { driftAuditCommand } from './commands/drift-audit.command';
import { OpsExit, UsageError, type OpsCommand, type OpsOutput } from './ops-command';
import { loadOpsConfig, type OpsConfig } from './ops-config';

const COMMANDS: readonly OpsCommand[] = [
  dbSetupCommand,
  dbSeedCommand,
  dlqReplayCommand,
  driftAuditCommand,
];

const HELP = new Set(['help', '--help', '-h']);

const PROCESS_OUTPUT: OpsOutput = {
  log: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};

function usage(): string {
  const invocations = COMMANDS.map((command) =>
    `${command.name} ${command.synopsis}`.trim().padEnd(26),
  );
  return [
    'usage: node dist/apps/ops/main.js <command> [flags]',
    '',
    'commands:',
    ...COMMANDS.map((command, index) => `  ${invocations[index]}${command.description}`),
    '',
    'environment: USERS_MONGO_URI, ORDERS_MONGO_URI, AMQP_URL, AMQP_TOPOLOGY_PREFIX,',
    '             ORDER_SYNC_STATUSES',
    'exit codes: 0 done, 1 failed, 2 usage error, 3 drift found (drift:audit without --repair)',
  ].join('\n');
}

function usageError(output: OpsOutput, problem: string): OpsExit {
  output.warn(`ops: ${problem}`);
  output.warn(usage());
  return OpsExit.Usage;
}

/**
 * Runs one ops command, e.g. `['dlq:replay', '--limit', '10']`, and returns its exit code; never
 * exits the process, so tests run commands in-process.
 */
export async function runOpsCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  output: OpsOutput = PROCESS_OUTPUT,
): Promise<OpsExit> {
  const [name, ...args] = argv;
  if (name === undefined) return usageError(output, 'no command given');
  if (HELP.has(name)) {
    output.log(usage());
    return OpsExit.Done;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return usageError(output, `unknown command '${name}'`);

  let run: ReturnType<OpsCommand['parse']>;
  let config: OpsConfig;
  try {
    run = command.parse(args);
    config = loadOpsConfig(env);
  } catch (error) {
    if (error instanceof UsageError) return usageError(output, `${name}: ${error.message}`);
    if (error instanceof ConfigError) {
      output.warn(`ops: ${error.message}`);
      return OpsExit.Failed;
    }
    throw error;
  }

  try {
    return await run({ config, output });
  } catch (error) {
    output.warn(`ops: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return OpsExit.Failed;
  }
}
