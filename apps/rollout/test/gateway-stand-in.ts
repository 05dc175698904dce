import { RecordingStandIn, type RecordedRequest, type StandInReply } from './recording-stand-in';

export type { RecordedRequest, StandInReply };

/**
 * A local HTTP stand-in for Kong's Admin API, Kong's status API (/status/metrics) and user-v2's
 * /metrics: it records every request and answers what the test scripted. POST /config updates the
 * weights it reports back, as Kong does.
 */
export class GatewayStandIn extends RecordingStandIn {
  weights = { 'user-v1:3000': 50, 'user-v2:3000': 50 };
  /** Answer to POST /config; the default accepts the config like Kong (201). */
  configReply: StandInReply = { status: 201, body: {} };
  /** Successive /metrics bodies; the last one repeats. */
  metricsBodies: string[] = [''];
  metricsStatus = 200;
  /** Successive bodies of Kong's status /metrics (see kongStatusText); the last one repeats. */
  kongStatusBodies: string[] = [kongStatusText()];
  kongStatusStatus = 200;
  /** The POST /config bodies the rollout sent, in order. */
  get loadedConfigs(): string[] {
    return this.requests
      .filter((request) => request.method === 'POST' && request.path.startsWith('/config'))
      .map((request) => (JSON.parse(request.body) as { config: string }).config);
  }

  protected answer({ method, path, body }: RecordedRequest): StandInReply {
    if (method === 'GET' && path === '/upstreams/user-service/targets') {
      const data = Object.entries(this.weights).map(([target, weight]) => ({ target, weight }));
      return { status: 200, body: { data } };
    }
    if (method === 'POST' && path.startsWith('/config')) {
      if (this.configReply.status === 201 && !this.configReply.hang) {
        const config = (JSON.parse(body) as { config: string }).config;
        for (const target of Object.keys(this.weights) as (keyof typeof this.weights)[]) {
          const match = new RegExp(`target: ${target}\\n\\s+weight: (\\d+)`).exec(config);
          if (match) this.weights[target] = Number(match[1]);
        }
      }
      return this.configReply;
    }
    if (method === 'GET' && path === '/status/metrics') {
      const text =
        this.kongStatusBodies.length > 1
          ? this.kongStatusBodies.shift()!
          : this.kongStatusBodies[0];
      return { status: this.kongStatusStatus, text };
    }
    if (method === 'GET' && path === '/metrics') {
      const text =
        this.metricsBodies.length > 1 ? this.metricsBodies.shift()! : this.metricsBodies[0];
      return { status: this.metricsStatus, text };
    }
    return { status: 404, body: { message: 'Not found' } };
  }
}

/**
 * user-v2's /metrics as prom-client writes them, for a total of `ok` 200s and `errors` 500s on
 * PUT /users/:userId, `slow` of them taking about 2 s and the rest about 4 ms; plus health probes
 * that fail, which the rollout must not count.
 */
export function serviceMetricsText(ok: number, errors: number, slow = 0): string {
  const lines = [
    '# HELP http_requests_total HTTP requests by method, route and status.',
    '# TYPE http_requests_total counter',
    `http_requests_total{method="PUT",route="/users/:userId",status="200"} ${ok}`,
    `http_requests_total{method="PUT",route="/users/:userId",status="500"} ${errors}`,
    `http_requests_total{method="GET",route="/health/ready",status="503"} ${ok + errors}`,
    '# TYPE http_request_duration_seconds histogram',
  ];
  const bounds = [
    '0.001',
    '0.0025',
    '0.005',
    '0.01',
    '0.025',
    '0.05',
    '0.1',
    '0.25',
    '0.5',
    '1',
    '2.5',
    '+Inf',
  ];
  for (const [status, count] of [
    ['200', ok],
    ['500', errors],
  ] as const) {
    const slowHere = status === '200' ? Math.min(slow, count) : 0;
    for (const le of bounds) {
      const bound = le === '+Inf' ? Infinity : Number(le);
      const cumulative = (bound >= 0.005 ? count - slowHere : 0) + (bound >= 2.5 ? slowHere : 0);
      lines.push(
        `http_request_duration_seconds_bucket{le="${le}",method="PUT",route="/users/:userId",status="${status}"} ${cumulative}`,
      );
    }
  }
  lines.push(
    `http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health/ready",status="503"} ${ok + errors}`,
  );
  return `${lines.join('\n')}\n`;
}

interface KongStatusFigures {
  /** State Kong reports for user-v2's target (healthy, unhealthy, healthchecks_off, dns_error). */
  v2State?: string;
  /** Answers from the services on the split user routes, in total so far. */
  served?: number;
  /** 5xx Kong answered itself on the split user routes, in total so far. */
  kongErrors?: number;
}

/**
 * Kong 3.9's status /metrics as its prometheus plugin writes them (kong/plugins/prometheus/
 * exporter.lua): answers per service and route with their source, and one health gauge per
 * target address and state. Kong's own 5xx on other routes (pinned to v1, orders) are there too,
 * and must not count against user-v2.
 */
export function kongStatusText(figures: KongStatusFigures = {}): string {
  const { v2State = 'healthy', served = 0, kongErrors = 0 } = figures;
  const requests = (service: string, route: string, code: number, source: string, n: number) =>
    `kong_http_requests_total{service="${service}",route="${route}",code="${code}",source="${source}",workspace="default",consumer=""} ${n}`;
  const health = (upstream: string, target: string, address: string, state: string) =>
    ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error'].map(
      (each) =>
        `kong_upstream_target_health{upstream="${upstream}",target="${target}",address="${address}",state="${each}",subsystem="http"} ${each === state ? 1 : 0}`,
    );
  return [
    '# HELP kong_http_requests_total HTTP status codes per consumer/service/route in Kong',
    '# TYPE kong_http_requests_total counter',
    requests('users', 'users-item', 200, 'service', served),
    requests('users', 'users-item', 503, 'kong', kongErrors),
    requests('users-pinned-v1', 'users-item-pinned-v1', 502, 'kong', 1000),
    requests('orders', 'orders-collection', 504, 'kong', 1000),
    '# HELP kong_upstream_target_health Health status of targets of upstream.',
    '# TYPE kong_upstream_target_health gauge',
    ...health('user-service', 'user-v1:3000', '172.18.0.4:3000', 'healthy'),
    ...health('user-service', 'user-v2:3000', '172.18.0.5:3000', v2State),
    ...health('order-service', 'order:3000', '172.18.0.6:3000', 'unhealthy'),
    '',
  ].join('\n');
}
