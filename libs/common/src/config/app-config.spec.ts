import { loadAppConfig } from './app-config';
import { ConfigError } from './env-rules';
import type { ServiceIdentity } from './service-identity';

const ORDER: ServiceIdentity = {
  name: 'order',
  defaultDatabase: 'orders',
  title: 'Order',
  description: 'Order',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env, ORDER);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAppConfig', () => {
  it('applies the documented defaults (docs/operations.md)', () => {
    const config = loadAppConfig({}, ORDER);
    expect(config.port).toBe(3000);
    expect(config.mongoUri).toBe('mongodb://127.0.0.1:27017/orders');
    expect(config.amqpUrl).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.orderSyncStatuses).toEqual(['under process', 'shipping']);
    expect(config.events.topologyPrefix).toBe('');
    expect(config.events.declareTopology).toBe(true);
    expect(config.dbCommandStats).toBe(false);
    expect(config.idempotencyKeyTtlMs).toBe(24 * 3_600_000);
    expect(config.orderRole).toBe('all');
    expect(config.serviceVersion).toMatch(/^order\/\d+\.\d+\.\d+$/);
  });

  it('reads every variable', () => {
    const config = loadAppConfig(
      {
        PORT: '8080',
        MONGO_URI: 'mongodb://db:27017/shop?authSource=admin',
        AMQP_URL: 'amqps://u:p@mq:5671/vhost',
        LOG_LEVEL: 'debug',
        ORDER_SYNC_STATUSES: 'under process, shipping ,delivered',
        AMQP_TOPOLOGY_PREFIX: 'staging',
        AMQP_DECLARE_TOPOLOGY: 'false',
        DB_COMMAND_STATS: 'true',
        IDEMPOTENCY_KEY_TTL_HOURS: '48',
        ORDER_ROLE: 'consumer',
      },
      ORDER,
    );
    expect(config.port).toBe(8080);
    expect(config.mongoUri).toBe('mongodb://db:27017/shop?authSource=admin');
    expect(config.logLevel).toBe('debug');
    expect(config.orderSyncStatuses).toEqual(['under process', 'shipping', 'delivered']);
    expect(config.events.topologyPrefix).toBe('staging.');
    expect(config.events.declareTopology).toBe(false);
    expect(config.dbCommandStats).toBe(true);
    expect(config.idempotencyKeyTtlMs).toBe(48 * 3_600_000);
    expect(config.orderRole).toBe('consumer');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['MONGO_URI', 'mongodb://localhost:27017'],
    ['MONGO_URI', 'postgres://localhost/x'],
    ['AMQP_URL', 'http://localhost'],
    ['LOG_LEVEL', 'loud'],
    ['ORDER_SYNC_STATUSES', 'shipping,lost'],
    ['AMQP_DELIVERY_LIMIT', '0'],
    ['OUTBOX_SWEEP_INTERVAL_MS', 'often'],
    ['AMQP_DECLARE_TOPOLOGY', 'no'],
    ['DB_COMMAND_STATS', 'yes'],
    ['IDEMPOTENCY_KEY_TTL_HOURS', '0'],
    ['IDEMPOTENCY_KEY_TTL_HOURS', '1.5'],
    ['IDEMPOTENCY_KEY_TTL_HOURS', 'a day'],
    ['ORDER_WRITER_LEASE', 'sometimes'],
    ['ORDER_ROLE', 'both'],
    ['ORDER_ROLE', 'API'],
  ])('names %s when it is %p', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  describe('ORDER_SYNC_STATUSES, by the rule the ops CLI shares', () => {
    it.each([',', ' , '])('refuses %p: a list of no status would stop all syncing', (value) => {
      expect(problemsOf({ ORDER_SYNC_STATUSES: value })).toEqual([
        'ORDER_SYNC_STATUSES must name at least one status',
      ]);
    });

    it.each([[{}], [{ ORDER_SYNC_STATUSES: '' }]])(
      'takes the default when unset or empty',
      (env) => {
        expect(loadAppConfig(env, ORDER).orderSyncStatuses).toEqual(['under process', 'shipping']);
      },
    );

    it.each([
      ['delivered', ['delivered']],
      ['shipping, delivered', ['shipping', 'delivered']],
    ])('accepts %p', (value, statuses) => {
      expect(loadAppConfig({ ORDER_SYNC_STATUSES: value }, ORDER).orderSyncStatuses).toEqual(
        statuses,
      );
    });
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', LOG_LEVEL: 'y' })).toHaveLength(2);
  });
});
