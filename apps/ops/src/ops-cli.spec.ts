import type { OpsOutput } from './ops-command';
import { runOpsCommand } from './ops-cli';
import { loadOpsConfig } from './ops-config';

async function run(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output: OpsOutput = { log: (line) => stdout.push(line), warn: (line) => stderr.push(line) };
  const code = await runOpsCommand(argv, env, output);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('ops command line', () => {
  it.each([
    [[], 'no command given'],
    [['db:nuke'], "unknown command 'db:nuke'"],
    [['db:setup', '--force'], "Unknown option '--force'"],
    [['db:seed', 'extra'], 'extra'],
    [['dlq:replay', '--limit', 'ten'], "--limit must be a positive integer, got 'ten'"],
    [['dlq:replay', '--limit', '0'], "--limit must be a positive integer, got '0'"],
    [['dlq:replay', '--limit'], '--limit'],
    [['drift:audit', '--repair=yes'], '--repair'],
  ])('%j is a usage error: exit 2, usage on stderr', async (argv, problem) => {
    const result = await run(argv);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain('usage: node dist/apps/ops/main.js <command> [flags]');
  });

  it('prints the usage on stdout for --help', async () => {
    const result = await run(['--help']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['db:setup', 'db:seed', 'dlq:replay', 'drift:audit']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('names every bad variable before touching any server, and exits 1', async () => {
    const result = await run(['db:setup'], {
      USERS_MONGO_URI: 'mongodb://127.0.0.1:27017',
      AMQP_URL: 'http://broker',
      ORDER_SYNC_STATUSES: 'shipping,cancelled',
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('USERS_MONGO_URI must be a mongodb:// URI');
    expect(result.stderr).toContain('AMQP_URL must be an amqp:// or amqps:// URL');
    expect(result.stderr).toContain('ORDER_SYNC_STATUSES must be a comma-separated list of');
  });

  it('reports a usage error before a configuration error', async () => {
    const result = await run(['drift:audit', '--fix'], { USERS_MONGO_URI: 'nope' });

    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('Invalid configuration');
  });
});

describe('loadOpsConfig', () => {
  it('defaults to the local servers and the services’ sync statuses', () => {
    expect(loadOpsConfig({})).toEqual({
      usersMongoUri: 'mongodb://127.0.0.1:27017/users',
      ordersMongoUri: 'mongodb://127.0.0.1:27017/orders',
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      topologyPrefix: '',
      orderSyncStatuses: ['under process', 'shipping'],
    });
  });

  describe('ORDER_SYNC_STATUSES, by the services’ rule', () => {
    it.each([',', ' , '])('refuses %p, as the order service does', (value) => {
      expect(() => loadOpsConfig({ ORDER_SYNC_STATUSES: value })).toThrow(
        'ORDER_SYNC_STATUSES must name at least one status',
      );
    });

    it.each([[{}], [{ ORDER_SYNC_STATUSES: '' }]])(
      'takes the default when unset or empty',
      (env) => {
        expect(loadOpsConfig(env).orderSyncStatuses).toEqual(['under process', 'shipping']);
      },
    );

    it('accepts a list', () => {
      expect(
        loadOpsConfig({ ORDER_SYNC_STATUSES: 'shipping, delivered' }).orderSyncStatuses,
      ).toEqual(['shipping', 'delivered']);
    });
  });

  it('prefixes topology names as the services do', () => {
    expect(loadOpsConfig({ AMQP_TOPOLOGY_PREFIX: 'staging' }).topologyPrefix).toBe('staging.');
  });
});
