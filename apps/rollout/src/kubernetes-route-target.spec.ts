import { RolloutExit } from './rollout';
import { runRolloutCli } from './rollout-cli';
import { GatewayStandIn, serviceMetricsText } from '../test/gateway-stand-in';
import { KubernetesApiStandIn } from '../test/kubernetes-api-stand-in';

/**
 * `npm run rollout -- --target kubernetes`: the same commands, gates and rollback as against
 * Kong's Admin API, moving the weights of the aware chart's users HTTPRoute through a stand-in
 * API server that holds the route as the chart renders it.
 */
describe('rollout against a Kubernetes HTTPRoute (stand-in API server)', () => {
  let api: KubernetesApiStandIn;
  let metrics: GatewayStandIn;
  let out: string[];
  let err: string[];

  beforeEach(async () => {
    api = new KubernetesApiStandIn();
    metrics = new GatewayStandIn();
    await Promise.all([api.start(), metrics.start()]);
    out = [];
    err = [];
  });

  afterEach(() => Promise.all([api.stop(), metrics.stop()]));

  function rollout(...args: string[]): Promise<number> {
    return runRolloutCli(
      [
        ...args,
        '--target',
        'kubernetes',
        '--kube-api-url',
        api.url,
        '--v2-metrics-url',
        `${metrics.url}/metrics`,
        '--timeout',
        '2s',
      ],
      { PATH: process.env.PATH },
      { log: (line) => out.push(line), warn: (line) => err.push(line) },
      () => Promise.resolve(),
    );
  }

  /** The rendered chart: pinned v1, pinned v2, then the split at P=100. */
  const PINNED = [[undefined], [undefined]];

  it('set: patches the split rule to P / 100 - P and leaves the pinning rules alone', async () => {
    await expect(rollout('set', '30')).resolves.toBe(RolloutExit.Done);
    expect(api.weights).toEqual([...PINNED, [30, 70]]);
    expect(api.patches[0][0]).toEqual({
      op: 'test',
      path: '/metadata/resourceVersion',
      value: '1',
    });
    expect(out.join('\n')).toContain('P=100 (user-v1 100 %, user-v2 0 %) -> P=30');
  });

  it('set --dry-run: shows the change and patches nothing', async () => {
    await expect(rollout('set', '30', '--dry-run')).resolves.toBe(RolloutExit.Done);
    expect(api.patches).toEqual([]);
    expect(out.join('\n')).toMatch(/-\s+"aware-user-v1": 100,[\s\S]*\+\s+"aware-user-v1": 30,/);
  });

  it('progressive: steps through P and rolls back to the last good P on a breach (exit 5)', async () => {
    metrics.metricsBodies = [
      serviceMetricsText(0, 0),
      serviceMetricsText(100, 0),
      serviceMetricsText(100, 0),
      serviceMetricsText(150, 50),
    ];
    const exit = await rollout(
      'progressive',
      '--steps',
      '80,50',
      '--interval',
      '1s',
      '--max-error-rate',
      '5',
    );
    expect(exit).toBe(RolloutExit.RolledBack);
    const v1Weights = api.patches.map(
      (patch) => patch.find((op) => op.path.endsWith('/0/weight'))?.value,
    );
    expect(v1Weights).toEqual([80, 50, 80]);
    expect(api.weights).toEqual([...PINNED, [80, 20]]);
  });

  it('exits 4 when the route changed since it was read (the patch test fails)', async () => {
    api.patchReply = {
      status: 422,
      body: { kind: 'Status', message: 'test operation failed at /metadata/resourceVersion' },
    };
    await expect(rollout('set', '30')).resolves.toBe(RolloutExit.AdminApiRefused);
    expect(err.join('\n')).toContain('test operation failed');
  });

  it('exits 4 when the release has no such route, naming it', async () => {
    await expect(rollout('set', '30', '--release', 'other')).resolves.toBe(
      RolloutExit.AdminApiRefused,
    );
    expect(err.join('\n')).toContain('HTTPRoute default/other-users');
  });

  it('exits 3 when the API server does not answer', async () => {
    api.patchReply = { status: 200, hang: true };
    await expect(rollout('set', '30')).resolves.toBe(RolloutExit.AdminApiUnreachable);
    expect(err.join('\n')).toMatch(/Kubernetes API at .* did not answer within 2000 ms/);
  });

  it('exits 2 for an unknown target', async () => {
    await expect(
      runRolloutCli(
        ['set', '30', '--target', 'nomad'],
        {},
        {
          log: (line) => out.push(line),
          warn: (line) => err.push(line),
        },
      ),
    ).resolves.toBe(RolloutExit.Usage);
    expect(err.join('\n')).toContain('--target must be one of kong, kubernetes');
  });
});
