import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Metrics } from '@aware/common';
import type { OutboxBacklog } from '@aware/database';
import { OutboxStore } from './outbox-store';

/** Event counters: published, consumed, failed (docs/api.md). */
@Injectable()
export class EventMetrics {
  readonly published: Counter<'type'>;
  readonly publishFailures: Counter;
  readonly consumed: Counter<'outcome'>;

  constructor(metrics: Metrics) {
    this.published = metrics.counter({
      name: 'aware_events_published_total',
      help: 'User events published and confirmed by the broker.',
      labelNames: ['type'],
    });
    this.publishFailures = metrics.counter({
      name: 'aware_events_publish_failures_total',
      help: 'Publishes not confirmed (the event stays in the outbox).',
    });
    this.consumed = metrics.counter({
      name: 'aware_events_consumed_total',
      help: 'User events consumed, by outcome.',
      labelNames: ['outcome'],
    });
  }
}

/** How often the outbox gauges are read from the database. */
const OUTBOX_GAUGE_REFRESH_MS = 5_000;

/**
 * Outbox backlog and age. Read from the database in the background, so a scrape costs no query
 * and answers even while the database is down (it then shows the last values read).
 */
@Injectable()
export class OutboxMetrics implements OnApplicationBootstrap, OnModuleDestroy {
  private backlog: OutboxBacklog = { pending: 0, oldestOccurredAt: null };
  private timer?: NodeJS.Timeout;
  private refreshing = false;

  constructor(
    metrics: Metrics,
    private readonly outbox: OutboxStore,
  ) {
    const read = (): OutboxBacklog => this.backlog;
    metrics.gauge({
      name: 'aware_outbox_pending',
      help: 'User events stored but not yet confirmed by the broker.',
      collect() {
        this.set(read().pending);
      },
    });
    metrics.gauge({
      name: 'aware_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished user event (0 when none).',
      collect() {
        const oldest = read().oldestOccurredAt?.getTime();
        this.set(oldest === undefined ? 0 : (Date.now() - oldest) / 1000);
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), OUTBOX_GAUGE_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      this.backlog = await this.outbox.backlog();
    } catch {
      // The database is down: keep the last values; readiness reports the outage.
    } finally {
      this.refreshing = false;
    }
  }
}
