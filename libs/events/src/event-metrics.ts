import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Metrics } from '@aware/common';
import { UsersRepository } from '@aware/database';

export type ConsumeOutcome = 'applied' | 'dead_lettered' | 'requeued';

/** Event counters of SPEC §4.3: published, consumed, failed. */
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

/** Outbox backlog and age, read from the database at each scrape. */
@Injectable()
export class OutboxMetrics {
  constructor(metrics: Metrics, users: UsersRepository) {
    metrics.gauge({
      name: 'aware_outbox_pending',
      help: 'User events stored but not yet confirmed by the broker.',
      async collect() {
        this.set((await users.outboxBacklog()).pending);
      },
    });
    metrics.gauge({
      name: 'aware_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished user event (0 when none).',
      async collect() {
        const oldest = (await users.outboxBacklog()).oldestOccurredAt?.getTime();
        this.set(oldest === undefined ? 0 : (Date.now() - oldest) / 1000);
      },
    });
  }
}
