/**
 * Database commands per operation, from the services' bench-mode counters on /metrics
 * (DB_COMMAND_STATS=true): snapshots before and after a phase, and their difference.
 */

/** Counter values of one scrape, keyed by metric name and labels. */
export type CounterSnapshot = Map<
  string,
  { name: string; labels: Record<string, string>; value: number }
>;

/** The bench-mode counters of database commands. */
const DB_COUNTERS = ['db_commands_total', 'db_command_seconds_total', 'db_stats_operations_total'];
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The samples of the `names` counters in one /metrics text (all labelled). */
function parseCounters(
  text: string,
  source: string,
  names: readonly string[] = DB_COUNTERS,
): CounterSnapshot {
  const sample = new RegExp(`^(${names.join('|')})\\{(.*)\\} (\\S+)$`);
  const snapshot: CounterSnapshot = new Map();
  for (const line of text.split('\n')) {
    const match = sample.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = { source };
    for (const [, key, value] of match[2].matchAll(LABEL)) {
      labels[key] = value.replace(/\\(.)/g, '$1');
    }
    snapshot.set(`${source} ${match[1]}{${match[2]}}`, {
      name: match[1],
      labels,
      value: Number(match[3]),
    });
  }
  return snapshot;
}

/** Scrapes every URL; a service without bench mode simply contributes nothing. */
export async function scrape(
  urls: readonly string[],
  names: readonly string[] = DB_COUNTERS,
): Promise<CounterSnapshot> {
  const merged: CounterSnapshot = new Map();
  for (const url of urls) {
    const text = await fetch(url).then((response) => response.text());
    for (const [key, sample] of parseCounters(text, url, names)) merged.set(key, sample);
  }
  return merged;
}

interface CommandCount {
  command: string;
  collection: string;
  count: number;
  write: boolean;
}

/** What one operation did during a phase. */
export interface OperationCommands {
  operation: string;
  /** Requests, events or relay runs of this operation. */
  runs: number;
  commands: number;
  writes: number;
  failed: number;
  seconds: number;
  byCommand: CommandCount[];
}

export function diffCommands(before: CounterSnapshot, after: CounterSnapshot): OperationCommands[] {
  const operations = new Map<string, OperationCommands>();
  const of = (operation: string): OperationCommands => {
    let entry = operations.get(operation);
    if (!entry) {
      entry = { operation, runs: 0, commands: 0, writes: 0, failed: 0, seconds: 0, byCommand: [] };
      operations.set(operation, entry);
    }
    return entry;
  };
  for (const [key, sample] of after) {
    const delta = sample.value - (before.get(key)?.value ?? 0);
    if (delta <= 0) continue;
    const entry = of(sample.labels.operation);
    if (sample.name === 'db_stats_operations_total') entry.runs += delta;
    else if (sample.name === 'db_command_seconds_total') entry.seconds += delta;
    else {
      const write = sample.labels.kind === 'write';
      entry.commands += delta;
      if (write) entry.writes += delta;
      if (sample.labels.outcome === 'failed') entry.failed += delta;
      const known = entry.byCommand.find(
        (each) =>
          each.command === sample.labels.command && each.collection === sample.labels.collection,
      );
      if (known) known.count += delta;
      else {
        entry.byCommand.push({
          command: sample.labels.command,
          collection: sample.labels.collection,
          count: delta,
          write,
        });
      }
    }
  }
  for (const entry of operations.values()) entry.byCommand.sort((a, b) => b.count - a.count);
  return [...operations.values()].sort((a, b) => b.commands - a.commands);
}

/** Background work on the producer side: relay runs, sweeps, and anything left after responses. */
export function isBackground(operation: string): boolean {
  return operation.startsWith('outbox ') || operation.endsWith(' (after response)');
}
