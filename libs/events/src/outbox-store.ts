import type { EventEnvelope } from '@aware/contracts';
import type { OutboxBacklog } from '@aware/database';

/** An event stored with the change that caused it, as the relay publishes it. */
export interface OutboxEntry {
  /** Orders the entries of one key: the newest supersedes the older ones. */
  version: number;
  published: boolean;
  event: EventEnvelope;
  /** The request id of the change, sent as the message's correlationId. */
  correlationId?: string;
  /** The W3C trace context of the request that caused the event, when tracing is on. */
  traceparent?: string;
}

/** One version of a key's entries: a pending one to publish, or one the broker confirmed. */
export interface EntryVersion {
  key: string;
  version: number;
}

/**
 * The transactional outbox the relay publishes from; the producer's repository stands behind it.
 * Entries are kept per key (a user, for the user services) and each carries the key's whole
 * state, so only a key's newest entry needs publishing.
 */
export abstract class OutboxStore {
  /** One entry by key and version (the writer knows both); null when it is not there. */
  abstract find(key: string, version: number): Promise<OutboxEntry | null>;

  /**
   * After the broker confirmed these entries (at most one per key): marks them, in one command
   * where the store can, and settles what each supersedes.
   */
  abstract markPublished(entries: readonly EntryVersion[]): Promise<void>;

  /**
   * Keys with entries unpublished since before `cutoff`, oldest first, from at most `limit`
   * entries, each with its newest pending version.
   */
  abstract pendingBefore(cutoff: Date, limit: number): Promise<EntryVersion[]>;

  /** How many entries wait and since when, for the outbox gauges. */
  abstract backlog(): Promise<OutboxBacklog>;
}
