import { counterGrowth, fetchMetricsText, prometheusSamples } from './service-metrics';

/**
 * What Kong itself says about the user routes, from its status API's /metrics (the prometheus
 * plugin, Kong 3.9, with status_code_metrics and upstream_health_metrics on). Kong counts
 * answers per service and route, not per target, with `source="kong"` for those Kong made itself
 * (no healthy target, upstream timeouts and refusals): 5xx that never reach user-v2's /metrics.
 */
export interface GatewayStatusSnapshot {
  /** kong_http_requests_total by series (service, route, code, source). */
  readonly requests: ReadonlyMap<string, GatewayRequestSeries>;
  /** kong_upstream_target_health: the states set to 1, per `upstream target`, one per address. */
  readonly targetStates: ReadonlyMap<string, readonly string[]>;
}

interface GatewayRequestSeries {
  readonly service: string;
  readonly code: number;
  /** `service` when the upstream answered, `kong` when Kong did. */
  readonly source: string;
  readonly count: number;
}

/** The Kong services whose answers a user-v2 step is judged by (kong/kong.yaml.tmpl). */
export const USER_V2_KONG_SERVICES = ['users', 'users-pinned-v2'] as const;
export const USER_UPSTREAM = 'user-service';

/** What the gateway did on the user routes between two scrapes. */
export interface GatewayWindow {
  readonly requests: number;
  /** 5xx Kong answered itself. */
  readonly gatewayErrors: number;
  /** gatewayErrors / requests, 0-1; 0 when there were no requests. */
  readonly errorRate: number;
}

export function parseKongStatusMetrics(text: string): GatewayStatusSnapshot {
  const requests = new Map<string, GatewayRequestSeries>();
  const targetStates = new Map<string, string[]>();
  for (const { name, labels, value } of prometheusSamples(text)) {
    if (name === 'kong_http_requests_total') {
      const service = labels.get('service') ?? '';
      const code = labels.get('code') ?? '';
      const source = labels.get('source') ?? '';
      const series = [service, labels.get('route'), code, source, labels.get('consumer')].join(' ');
      requests.set(series, { service, code: Number(code), source, count: value });
    } else if (name === 'kong_upstream_target_health' && value === 1) {
      const key = `${labels.get('upstream')} ${labels.get('target')}`;
      targetStates.set(key, [...(targetStates.get(key) ?? []), labels.get('state') ?? '']);
    }
  }
  return { requests, targetStates };
}

/** Requests on the given Kong services and the 5xx Kong answered itself, between two scrapes. */
export function gatewayTrafficBetween(
  before: GatewayStatusSnapshot,
  after: GatewayStatusSnapshot,
  services: readonly string[],
): GatewayWindow {
  let requests = 0;
  let gatewayErrors = 0;
  for (const [series, { service, code, source, count }] of after.requests) {
    if (!services.includes(service)) continue;
    const grown = counterGrowth(before.requests.get(series)?.count, count);
    requests += grown;
    if (source === 'kong' && code >= 500) gatewayErrors += grown;
  }
  return { requests, gatewayErrors, errorRate: requests === 0 ? 0 : gatewayErrors / requests };
}

/**
 * Why Kong does not see a target as healthy, or undefined when every address of it is healthy.
 * A target of weight 0 reads `healthchecks_off` (Kong does not check it), so with
 * `weightIsZero` that state is accepted.
 */
export function targetHealthProblem(
  snapshot: GatewayStatusSnapshot,
  upstream: string,
  target: string,
  weightIsZero: boolean,
): string | undefined {
  const states = snapshot.targetStates.get(`${upstream} ${target}`);
  if (states === undefined || states.length === 0) {
    return `Kong reports no health for ${target} in upstream ${upstream} (is upstream_health_metrics on?)`;
  }
  const accepted = weightIsZero ? ['healthy', 'healthchecks_off'] : ['healthy'];
  const bad = states.filter((state) => !accepted.includes(state));
  if (bad.length === 0) return undefined;
  return `Kong sees ${target} in upstream ${upstream} as ${[...new Set(bad)].join(', ')}`;
}

/** Scrapes Kong's status API (/metrics). */
export async function scrapeKongStatus(
  url: string,
  timeoutMs: number,
): Promise<GatewayStatusSnapshot> {
  return parseKongStatusMetrics(await fetchMetricsText(url, timeoutMs));
}
