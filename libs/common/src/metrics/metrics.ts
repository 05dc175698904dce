import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
} from 'prom-client';

/**
 * The Prometheus registry of one service process (docs/api.md). Owned by the app, not the
 * library's global registry, so apps started side by side in tests keep separate metrics.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route, status and whether they replayed an earlier answer.',
    labelNames: ['method', 'route', 'status', 'replayed'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route, status and replayed.',
    labelNames: ['method', 'route', 'status', 'replayed'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * One answered request. `replayed`: it repeated the first answer to an Idempotency-Key and did
   * no work, so it is labelled apart from new requests (the rollout judges versions by those).
   */
  observeHttp(
    method: string,
    route: string,
    status: number,
    seconds: number,
    replayed: boolean,
  ): void {
    const labels = { method, route, status: String(status), replayed: String(replayed) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }
}
