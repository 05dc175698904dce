import { describeNetworkError } from './kong-admin-client';

/** The counters of one /metrics scrape that the rollout judges a version by. */
export interface MetricsSnapshot {
  /** http_requests_total by series (method, route, status). */
  readonly requests: ReadonlyMap<string, { status: number; count: number }>;
  /** http_request_duration_seconds_bucket by series and upper bound (le, in seconds). */
  readonly durationBuckets: ReadonlyMap<string, { le: number; count: number }>;
}

/** What one version did between two scrapes: the figures the thresholds apply to. */
export interface TrafficWindow {
  readonly requests: number;
  readonly serverErrors: number;
  /** Share of requests answered with a 5xx, 0-1; 0 when there were no requests. */
  readonly errorRate: number;
  /** 99th percentile latency in ms, estimated from the histogram; undefined with no requests. */
  readonly p99Ms: number | undefined;
}

export class MetricsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsUnavailableError';
  }
}

// Health probes (the gateway's own active checks among them), scrapes and docs are not traffic
// the rollout should judge a version by.
const NOT_API_TRAFFIC = /^\/(health|metrics|docs)(\/|$)/;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  for (const match of (text ?? '').matchAll(LABEL)) {
    labels.set(
      match[1],
      match[2].replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char)),
    );
  }
  return labels;
}

/** One sample of a Prometheus text exposition. */
interface PrometheusSample {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition, comments skipped. */
export function prometheusSamples(text: string): PrometheusSample[] {
  return text.split('\n').flatMap((line) => {
    const match = SAMPLE.exec(line);
    if (!match) return [];
    const [, name, labelText, valueText] = match;
    return [{ name, labels: parseLabels(labelText), value: Number(valueText) }];
  });
}

/** Reads the HTTP request counter and duration histogram out of Prometheus text format. */
export function parseServiceMetrics(text: string): MetricsSnapshot {
  const requests = new Map<string, { status: number; count: number }>();
  const durationBuckets = new Map<string, { le: number; count: number }>();
  for (const { name, labels, value: count } of prometheusSamples(text)) {
    if (name !== 'http_requests_total' && name !== 'http_request_duration_seconds_bucket') {
      continue;
    }
    const route = labels.get('route') ?? '';
    if (NOT_API_TRAFFIC.test(route)) continue;
    // A replayed create repeats an earlier answer without doing the work: not a new request.
    if (labels.get('replayed') === 'true') continue;
    const series = `${labels.get('method')} ${route} ${labels.get('status')}`;
    if (name === 'http_requests_total') {
      requests.set(series, { status: Number(labels.get('status')), count });
    } else {
      const leText = labels.get('le') ?? '+Inf';
      const le = leText === '+Inf' ? Infinity : Number(leText);
      durationBuckets.set(`${series} ${leText}`, { le, count });
    }
  }
  return { requests, durationBuckets };
}

/** Growth of a counter; a restarted process starts from zero, so then the new value is the growth. */
export function counterGrowth(before: number | undefined, after: number): number {
  return before === undefined || after < before ? after : after - before;
}

/** Error rate and p99 of the requests a version served between two scrapes. */
export function trafficBetween(before: MetricsSnapshot, after: MetricsSnapshot): TrafficWindow {
  let requests = 0;
  let serverErrors = 0;
  for (const [series, { status, count }] of after.requests) {
    const grown = counterGrowth(before.requests.get(series)?.count, count);
    requests += grown;
    if (status >= 500) serverErrors += grown;
  }
  const perBound = new Map<number, number>();
  for (const [key, { le, count }] of after.durationBuckets) {
    const grown = counterGrowth(before.durationBuckets.get(key)?.count, count);
    perBound.set(le, (perBound.get(le) ?? 0) + grown);
  }
  return {
    requests,
    serverErrors,
    errorRate: requests === 0 ? 0 : serverErrors / requests,
    p99Ms: quantileMs(perBound, 0.99),
  };
}

/**
 * The quantile of a cumulative histogram, interpolated linearly inside its bucket as Prometheus's
 * histogram_quantile does; past the last finite bound it answers that bound.
 */
function quantileMs(cumulativeByBound: Map<number, number>, quantile: number): number | undefined {
  const bounds = [...cumulativeByBound.keys()].sort((a, b) => a - b);
  const total = cumulativeByBound.get(Infinity) ?? 0;
  if (total === 0) return undefined;
  const rank = quantile * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bound of bounds) {
    const count = cumulativeByBound.get(bound) ?? 0;
    if (count >= rank) {
      if (bound === Infinity) return lowerBound * 1000;
      const inBucket = count - lowerCount;
      const fraction = inBucket === 0 ? 1 : (rank - lowerCount) / inBucket;
      return (lowerBound + (bound - lowerBound) * fraction) * 1000;
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound * 1000;
}

/** Scrapes one service's /metrics. */
export async function scrapeServiceMetrics(
  url: string,
  timeoutMs: number,
): Promise<MetricsSnapshot> {
  return parseServiceMetrics(await fetchMetricsText(url, timeoutMs));
}

/** GETs a Prometheus endpoint; anything but a 200 is a MetricsUnavailableError. */
export async function fetchMetricsText(url: string, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new MetricsUnavailableError(
      `metrics at ${url} ${describeNetworkError(error, timeoutMs)}`,
    );
  }
  if (response.status !== 200) {
    throw new MetricsUnavailableError(`metrics at ${url} answered HTTP ${response.status}`);
  }
  return response.text();
}
