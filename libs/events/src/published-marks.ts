import type { EntryVersion } from './outbox-store';

/** Entries one write marks at most. */
const MAX_BATCH = 100;

interface WaitingMark {
  entry: EntryVersion;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Marks confirmed entries published in batches: while one batch is being written, the entries
 * confirmed meanwhile wait and go together in the next one. Under load many publishes then
 * share one database command; an idle relay still marks each entry at once.
 */
export class PublishedMarks {
  private waiting: WaitingMark[] = [];
  private writing = false;

  constructor(private readonly write: (entries: EntryVersion[]) => Promise<void>) {}

  /** Resolves once `entry` is marked; rejects with the write's error (it stays pending). */
  mark(entry: EntryVersion): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        await this.write(batch.map((each) => each.entry));
        for (const each of batch) each.resolve();
      } catch (error) {
        for (const each of batch) each.reject(error);
      }
    }
    // In the same synchronous step as the last look at `waiting`: a mark() from now on starts
    // the next write itself.
    this.writing = false;
  }
}
