/** Load generation: autocannon for throughput, a fixed-rate sender for sync lag. */
import autocannon from 'autocannon';
import { cpuPerRequest, readCpu, type ProcessGroups } from './process-cpu';

const CONNECTIONS = 16;

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** A new path and body per request (unique emails, rotating users, fresh addresses). */
  next(): { path: string; body?: unknown };
}

export interface Throughput {
  /** Successful (2xx) responses per second over the measured window. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
  seconds: number;
  /** CPU ms per answered request of each process group over the measured window. */
  cpuPerRequestMs?: Record<string, number>;
}

function run(baseUrl: string, request: LoadRequest, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: request.method,
        setupRequest: (template) => {
          const { path, body } = request.next();
          return {
            ...template,
            path,
            ...(body !== undefined && {
              body: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            }),
          };
        },
      },
    ],
  });
}

/**
 * A warm-up run (discarded: JIT, connection pools, caches), then the measured run, over which
 * the CPU time of `processes` is read too. Background work a request leaves (relay, consumer)
 * is in steady state by then: what the warm-up left spills in as the window's own spills out.
 */
export async function measureThroughput(
  baseUrl: string,
  request: LoadRequest,
  timing: { warmupSeconds: number; seconds: number },
  processes: ProcessGroups = {},
): Promise<Throughput> {
  await run(baseUrl, request, timing.warmupSeconds);
  const cpuBefore = readCpu(processes);
  const result = await run(baseUrl, request, timing.seconds);
  const ok = result['2xx'];
  const cpuPerRequestMs = cpuPerRequest(cpuBefore, readCpu(processes), ok);
  return {
    rate: ok / result.duration,
    // Without one answer there is no latency to report (autocannon says 0).
    p50Ms: ok > 0 ? result.latency.p50 : Number.NaN,
    p99Ms: ok > 0 ? result.latency.p99 : Number.NaN,
    ok,
    errors: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
    ...(cpuPerRequestMs && { cpuPerRequestMs }),
  };
}

export interface SentPut {
  userId: string;
  /** The version the PUT answered with. */
  version: number;
  answeredAt: number;
}

/**
 * Sends PUTs at a fixed rate (open loop: a slow answer does not delay the next send), calling
 * `onAnswered` for each 200 as it arrives. Resolves when every PUT has been answered.
 */
export async function sendAtRate(
  baseUrl: string,
  perSecond: number,
  seconds: number,
  next: () => { userId: string; body: unknown },
  onAnswered: (put: SentPut) => void,
): Promise<{ sent: number; ok: number; errors: number; achievedPerSecond: number }> {
  const total = Math.round(perSecond * seconds);
  const started = performance.now();
  let ok = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { userId, body } = next();
    inFlight.push(
      fetch(`${baseUrl}/users/${userId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(
        async (response) => {
          const answeredAt = Date.now();
          if (response.status !== 200) {
            errors += 1;
            await response.body?.cancel();
            return;
          }
          const { version } = (await response.json()) as { version: number };
          ok += 1;
          onAnswered({ userId, version, answeredAt });
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - started) / 1000;
  return { sent: total, ok, errors, achievedPerSecond: ok / elapsedSeconds };
}
