import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RolloutExit } from './rollout';
import { runRolloutCli } from './rollout-cli';
import { parseServiceMetrics, trafficBetween } from './service-metrics';
import { parseKongStatusMetrics } from './kong-status-metrics';
import { GatewayStandIn, kongStatusText, serviceMetricsText } from '../test/gateway-stand-in';
import type { KongDeclarativeConfig } from '../test/kong-routes';

const ENV = {
  PATH: process.env.PATH,
  API_CONSUMERS: 'web-shop:test-key-0123456789abcdef0123',
};

function weightsOf(config: string): number[] {
  const parsed = parse(config) as KongDeclarativeConfig;
  return parsed.upstreams[0].targets.map((target) => target.weight);
}

describe('rollout command against a stand-in Admin API and /metrics', () => {
  let gateway: GatewayStandIn;
  let out: string[];
  let err: string[];
  let sleeps: number[];

  beforeEach(async () => {
    gateway = new GatewayStandIn();
    await gateway.start();
    out = [];
    err = [];
    sleeps = [];
  });

  afterEach(() => gateway.stop());

  function rollout(...args: string[]): Promise<number> {
    return runRolloutCli(
      [
        ...args,
        '--admin-url',
        gateway.url,
        '--v2-metrics-url',
        `${gateway.url}/metrics`,
        '--kong-status-url',
        `${gateway.url}/status/metrics`,
      ],
      ENV,
      { log: (line) => out.push(line), warn: (line) => err.push(line) },
      (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    );
  }

  describe('set', () => {
    it('loads the config rendered for P through POST /config', async () => {
      await expect(rollout('set', '30')).resolves.toBe(RolloutExit.Done);
      expect(gateway.loadedConfigs).toHaveLength(1);
      expect(weightsOf(gateway.loadedConfigs[0])).toEqual([30, 70]);
      expect(gateway.requests.at(-1)?.path).toBe('/config?flatten_errors=1');
      expect(out.join('\n')).toContain('P=50 (user-v1 50 %, user-v2 50 %) -> P=30');
    });

    it('with --dry-run prints the diff and changes nothing', async () => {
      await expect(rollout('set', '30', '--dry-run')).resolves.toBe(RolloutExit.Done);
      expect(gateway.loadedConfigs).toEqual([]);
      const printed = out.join('\n');
      expect(printed).toContain('--- kong.yml (P=50)');
      expect(printed).toContain('-        weight: 50\n+        weight: 30');
      expect(printed).toContain('+        weight: 70');
    });

    it.each(['101', '2.5', 'abc', ''])(
      'refuses P=%j before calling Kong (exit 2)',
      async (value) => {
        await expect(rollout('set', value)).resolves.toBe(RolloutExit.Usage);
        expect(gateway.requests).toEqual([]);
        expect(err.join('\n')).toContain(`got "${value}"`);
      },
    );

    it('exits 2 for a negative P, which reads as a flag', async () => {
      await expect(rollout('set', '-1')).resolves.toBe(RolloutExit.Usage);
      expect(err.join('\n')).toContain("Unknown option '-1'");
      expect(gateway.requests).toEqual([]);
    });

    it('renders with the variables of --env-file, under those of the environment', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aware-rollout-'));
      const envFile = join(dir, '.env');
      writeFileSync(
        envFile,
        `# the gateway's .env\nAPI_CONSUMERS=from-file:${'k'.repeat(30)}\nORDER_SYNC_STATUSES=under process,shipping\nGATEWAY_RATE_LIMIT_PER_MINUTE=42\n`,
      );
      try {
        const code = await runRolloutCli(
          ['set', '30', '--admin-url', gateway.url, '--env-file', envFile],
          { PATH: process.env.PATH, GATEWAY_RATE_LIMIT_PER_MINUTE: '77' },
          { log: (line) => out.push(line), warn: (line) => err.push(line) },
        );
        expect(code).toBe(RolloutExit.Done);
        const loaded = parse(gateway.loadedConfigs[0]) as KongDeclarativeConfig;
        const clients = loaded.consumers.filter((consumer) => consumer.keyauth_credentials);
        expect(clients.map((consumer) => consumer.username)).toEqual(['from-file']);
        expect(loaded.plugins.find((p) => p.name === 'rate-limiting')?.config).toMatchObject({
          minute: 77,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('exits 2 when --env-file cannot be read', async () => {
      await expect(rollout('set', '30', '--env-file', '/nonexistent/.env')).resolves.toBe(
        RolloutExit.Usage,
      );
      expect(err.join('\n')).toContain('--env-file /nonexistent/.env cannot be read');
    });

    it('exits 2 when the renderer refuses the environment', async () => {
      const code = await runRolloutCli(
        ['set', '30', '--admin-url', gateway.url],
        { PATH: process.env.PATH },
        { log: (line) => out.push(line), warn: (line) => err.push(line) },
      );
      expect(code).toBe(RolloutExit.Usage);
      expect(err.join('\n')).toContain('API_CONSUMERS must list at least one API client');
      expect(gateway.loadedConfigs).toEqual([]);
    });

    it("exits 4 with Kong's reasons when the Admin API refuses the config", async () => {
      gateway.configReply = {
        status: 400,
        body: {
          message: 'declarative config is invalid: {}',
          flattened_errors: [{ entity_name: 'users', errors: [{ message: 'unknown field' }] }],
        },
      };
      await expect(rollout('set', '30')).resolves.toBe(RolloutExit.AdminApiRefused);
      const printed = err.join('\n');
      expect(printed).toContain(
        'Kong refused the config (HTTP 400): declarative config is invalid',
      );
      expect(printed).toContain('unknown field');
    });

    it('exits 3 when the Admin API does not answer in time', async () => {
      gateway.configReply = { status: 201, hang: true };
      await expect(rollout('set', '30', '--timeout', '300ms')).resolves.toBe(
        RolloutExit.AdminApiUnreachable,
      );
      expect(err.join('\n')).toContain('did not answer within 300 ms (POST /config)');
    });

    it('exits 3 when nothing listens at the Admin API address', async () => {
      const address = gateway.url;
      await gateway.stop();
      const code = await runRolloutCli(['set', '30', '--admin-url', address], ENV, {
        log: (line) => out.push(line),
        warn: (line) => err.push(line),
      });
      expect(code).toBe(RolloutExit.AdminApiUnreachable);
      expect(err.join('\n')).toMatch(/Kong Admin API at .* is unreachable: .*ECONNREFUSED/);
    });

    it('exits 2 on an unknown flag or command', async () => {
      await expect(rollout('set', '30', '--force')).resolves.toBe(RolloutExit.Usage);
      await expect(rollout('jump', '30')).resolves.toBe(RolloutExit.Usage);
      expect(err.join('\n')).toContain('unknown command "jump"');
      expect(gateway.requests).toEqual([]);
    });
  });

  describe('progressive', () => {
    it('steps through P, judging user-v2 over each interval', async () => {
      // Scrapes come in pairs around each step's interval.
      gateway.metricsBodies = [
        serviceMetricsText(0, 0),
        serviceMetricsText(200, 1),
        serviceMetricsText(200, 1),
        serviceMetricsText(600, 2),
      ];
      const code = await rollout(
        'progressive',
        '--steps',
        '40,10',
        '--interval',
        '2m',
        '--max-error-rate',
        '1',
      );
      expect(code).toBe(RolloutExit.Done);
      expect(gateway.loadedConfigs.map(weightsOf)).toEqual([
        [40, 60],
        [10, 90],
      ]);
      // Kong's view of user-v2 is read every 10 s through each 2 min step.
      expect(sleeps).toEqual(Array(24).fill(10_000));
      expect(out.join('\n')).toContain('user-v2: 201 requests, 1 5xx (0.50 %)');
      expect(out.join('\n')).toContain('done at P=10');
    });

    it('rolls back to the last good P when the error rate is breached (exit 5)', async () => {
      gateway.metricsBodies = [
        serviceMetricsText(0, 0),
        serviceMetricsText(100, 0),
        serviceMetricsText(100, 0),
        serviceMetricsText(190, 10),
      ];
      const code = await rollout(
        'progressive',
        '--steps',
        '40,20,0',
        '--interval',
        '1s',
        '--max-error-rate',
        '5',
      );
      expect(code).toBe(RolloutExit.RolledBack);
      // 40 held, 20 breached (10 of 100 failed), so back to 40; 0 was never tried.
      expect(gateway.loadedConfigs.map(weightsOf)).toEqual([
        [40, 60],
        [20, 80],
        [40, 60],
      ]);
      expect(err.join('\n')).toContain('breach at P=20: error rate 10.00 % above 5.00 %');
      expect(gateway.weights).toEqual({ 'user-v1:3000': 40, 'user-v2:3000': 60 });
    });

    it('rolls back to the starting P when p99 is breached at the first step', async () => {
      gateway.metricsBodies = [serviceMetricsText(0, 0), serviceMetricsText(95, 0, 5)];
      const code = await rollout(
        'progressive',
        '--steps',
        '30',
        '--interval',
        '1s',
        '--max-p99',
        '500ms',
      );
      expect(code).toBe(RolloutExit.RolledBack);
      expect(gateway.loadedConfigs.map(weightsOf)).toEqual([
        [30, 70],
        [50, 50],
      ]);
      expect(err.join('\n')).toMatch(/p99 \d+\.\d ms above 500 ms/);
    });

    it('counts too little traffic as a breach when --min-requests asks for evidence', async () => {
      gateway.metricsBodies = [serviceMetricsText(0, 0), serviceMetricsText(3, 0)];
      const code = await rollout(
        'progressive',
        '--steps',
        '30',
        '--interval',
        '1s',
        '--min-requests',
        '50',
      );
      expect(code).toBe(RolloutExit.RolledBack);
      expect(err.join('\n')).toContain('only 3 requests reached user-v2 (at least 50 required)');
    });

    it('fails a step user-v2 got fewer than 50 requests in, by default', async () => {
      gateway.metricsBodies = [serviceMetricsText(0, 0), serviceMetricsText(10, 0)];
      const code = await rollout('progressive', '--steps', '30', '--interval', '1s');
      expect(code).toBe(RolloutExit.RolledBack);
      expect(gateway.loadedConfigs.map(weightsOf)).toEqual([
        [30, 70],
        [50, 50],
      ]);
      expect(err.join('\n')).toContain('only 10 requests reached user-v2 (at least 50 required)');
    });

    it('needs no user-v2 traffic or health at P=100, where user-v2 gets nothing', async () => {
      gateway.weights = { 'user-v1:3000': 40, 'user-v2:3000': 60 };
      gateway.metricsBodies = [serviceMetricsText(0, 0)];
      gateway.kongStatusBodies = [
        kongStatusText(),
        kongStatusText({ v2State: 'healthchecks_off' }),
      ];
      const code = await rollout('progressive', '--steps', '100', '--interval', '1s');
      expect(code).toBe(RolloutExit.Done);
      expect(out.join('\n')).toContain('done at P=100');
    });

    it('counts the 5xx Kong answered itself, which user-v2 never saw (exit 5)', async () => {
      gateway.metricsBodies = [serviceMetricsText(0, 0), serviceMetricsText(200, 0)];
      gateway.kongStatusBodies = [
        kongStatusText(),
        kongStatusText({ served: 1000 }),
        kongStatusText({ served: 1200, kongErrors: 30 }),
      ];
      const code = await rollout('progressive', '--steps', '30', '--interval', '1s');
      expect(code).toBe(RolloutExit.RolledBack);
      expect(out.join('\n')).toContain(
        'gateway: 230 requests on the user routes, 30 5xx answered by Kong itself (13.04 %)',
      );
      expect(err.join('\n')).toContain(
        'Kong answered 30 of 230 user requests itself with a 5xx (13.04 % above 1.00 %)',
      );
      expect(gateway.weights).toEqual({ 'user-v1:3000': 50, 'user-v2:3000': 50 });
    });

    it('does not start while Kong sees user-v2 unhealthy (exit 5, nothing loaded)', async () => {
      gateway.kongStatusBodies = [kongStatusText({ v2State: 'unhealthy' })];
      const code = await rollout('progressive', '--steps', '30', '--interval', '1s');
      expect(code).toBe(RolloutExit.RolledBack);
      expect(gateway.loadedConfigs).toEqual([]);
      expect(err.join('\n')).toContain(
        'not starting: Kong sees user-v2:3000 in upstream user-service as unhealthy; P stays at 50',
      );
    });

    it('rolls back within one poll when Kong takes user-v2 out during a step', async () => {
      gateway.metricsBodies = [serviceMetricsText(0, 0), serviceMetricsText(500, 0)];
      gateway.kongStatusBodies = [
        kongStatusText(),
        kongStatusText(),
        kongStatusText(),
        kongStatusText({ v2State: 'unhealthy' }),
      ];
      const code = await rollout('progressive', '--steps', '30', '--interval', '5m');
      expect(code).toBe(RolloutExit.RolledBack);
      expect(sleeps).toEqual([10_000, 10_000]);
      expect(gateway.loadedConfigs.map(weightsOf)).toEqual([
        [30, 70],
        [50, 50],
      ]);
      expect(err.join('\n')).toContain(
        'breach at P=30: Kong sees user-v2:3000 in upstream user-service as unhealthy',
      );
    });

    it("changes nothing when Kong's status API cannot be read (exit 6)", async () => {
      gateway.kongStatusStatus = 404;
      const code = await rollout('progressive', '--steps', '30', '--interval', '1s');
      expect(code).toBe(RolloutExit.MetricsUnavailable);
      expect(gateway.loadedConfigs).toEqual([]);
      expect(err.join('\n')).toContain('/status/metrics answered HTTP 404');
    });

    it('rolls back when user-v2 metrics cannot be read (exit 6)', async () => {
      gateway.metricsStatus = 503;
      const code = await rollout('progressive', '--steps', '30', '--interval', '1s');
      expect(code).toBe(RolloutExit.MetricsUnavailable);
      expect(gateway.loadedConfigs.map(weightsOf)).toEqual([
        [30, 70],
        [50, 50],
      ]);
      expect(err.join('\n')).toContain('answered HTTP 503');
    });

    it('exits 3 naming the rollback when Kong stops answering during it', async () => {
      gateway.metricsBodies = [serviceMetricsText(0, 0), serviceMetricsText(0, 10)];
      const realLoad = gateway.loadedConfigs.length;
      const run = rollout('progressive', '--steps', '30', '--interval', '1s', '--timeout', '300ms');
      // After the first load succeeds, the next (the rollback) hangs.
      const waitForFirstLoad = async (): Promise<void> => {
        while (gateway.loadedConfigs.length === realLoad)
          await new Promise((r) => setTimeout(r, 5));
        gateway.configReply = { status: 201, hang: true };
      };
      await waitForFirstLoad();
      await expect(run).resolves.toBe(RolloutExit.AdminApiUnreachable);
      expect(err.join('\n')).toContain('rollback to P=50 failed: Kong Admin API');
    });

    it('with --dry-run prints each step as a diff and changes nothing', async () => {
      const code = await rollout('progressive', '--steps', '40,0', '--interval', '1m', '--dry-run');
      expect(code).toBe(RolloutExit.Done);
      expect(gateway.loadedConfigs).toEqual([]);
      const printed = out.join('\n');
      expect(printed).toContain('P=50 (user-v1 50 %, user-v2 50 %) -> P=40');
      expect(printed).toContain('P=40 (user-v1 40 %, user-v2 60 %) -> P=0');
      expect(printed).toContain('+        weight: 100');
    });

    it('refuses a plan with a bad step or duration before calling Kong', async () => {
      await expect(rollout('progressive', '--steps', '40,x', '--interval', '1m')).resolves.toBe(
        RolloutExit.Usage,
      );
      await expect(rollout('progressive', '--steps', '40', '--interval', '1h')).resolves.toBe(
        RolloutExit.Usage,
      );
      await expect(rollout('progressive', '--steps', '40')).resolves.toBe(RolloutExit.Usage);
      expect(err.join('\n')).toContain(
        '--interval must be a duration like 500ms, 30s or 5m, got "1h"',
      );
      expect(gateway.requests).toEqual([]);
    });
  });
});

describe("Kong's status metrics", () => {
  it('reads the answers and target health Kong 3.9 exports', () => {
    const status = parseKongStatusMetrics(kongStatusText({ v2State: 'dns_error', served: 7 }));
    expect(status.targetStates.get('user-service user-v2:3000')).toEqual(['dns_error']);
    expect(status.targetStates.get('user-service user-v1:3000')).toEqual(['healthy']);
    expect(
      [...status.requests.values()].find(
        (series) => series.service === 'users' && series.code === 200,
      ),
    ).toEqual({ service: 'users', code: 200, source: 'service', count: 7 });
  });
});

describe('traffic window from two scrapes', () => {
  it('counts only API requests and treats a restart as a fresh counter', () => {
    const before = parseServiceMetrics(serviceMetricsText(1000, 10));
    const after = parseServiceMetrics(serviceMetricsText(40, 2));
    const window = trafficBetween(before, after);
    expect(window).toMatchObject({ requests: 42, serverErrors: 2 });
    expect(window.errorRate).toBeCloseTo(2 / 42);
  });

  it('does not count replayed creates (Idempotency-Key) as requests', () => {
    const scrape = (fresh: number, replayed: number) =>
      parseServiceMetrics(
        [
          `http_requests_total{method="POST",route="/users",status="201",replayed="false"} ${fresh}`,
          `http_requests_total{method="POST",route="/users",status="201",replayed="true"} ${replayed}`,
        ].join('\n'),
      );
    expect(trafficBetween(scrape(10, 5), scrape(12, 500)).requests).toBe(2);
  });

  it('estimates p99 inside the histogram bucket it falls in', () => {
    const window = trafficBetween(
      parseServiceMetrics(''),
      parseServiceMetrics(serviceMetricsText(100, 0)),
    );
    // All 100 in the (2.5 ms, 5 ms] bucket: the 99th falls at 99 % of it.
    expect(window.p99Ms).toBeCloseTo(2.5 + 2.5 * 0.99);
    expect(trafficBetween(parseServiceMetrics(''), parseServiceMetrics('')).p99Ms).toBeUndefined();
  });
});
