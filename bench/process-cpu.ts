/**
 * CPU time by process, read from /proc: which process a request's CPU goes to (each service,
 * FerretDB, PostgreSQL, RabbitMQ, the floor), so the bench can say where the limit is instead
 * of guessing from rates. Linux only, like the rest of the bench.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const MS_PER_TICK = 10;

/** A named group of processes, looked up at each reading (PostgreSQL backends come and go). */
export type ProcessGroups = Record<string, () => number[]>;

/** CPU milliseconds used so far, per group. */
type CpuReading = Record<string, number>;

/** User + system CPU of a process (all its threads) in ms; 0 once it is gone. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: fields 14 and 15 of stat(5), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return 0;
  }
}

/** A process and every process below it (a postmaster and its backends), looked up now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Exited between the listing and the read.
    }
  }
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Processes whose command name (/proc/<pid>/comm) is `name`, e.g. `postgres`. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Exited between the listing and the read.
    }
  }
  return pids;
}

export function readCpu(groups: ProcessGroups): CpuReading {
  return Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => [
      name,
      pids().reduce((sum, pid) => sum + cpuTimeMs(pid), 0),
    ]),
  );
}

/**
 * CPU ms per request of each group between two readings. A process that exited in between
 * (a PostgreSQL backend of a closed connection) drops out of the sum, so a group's figure is a
 * lower bound; the bench's connections are pooled and live through a phase.
 */
export function cpuPerRequest(
  before: CpuReading,
  after: CpuReading,
  requests: number,
): Record<string, number> | undefined {
  if (requests === 0) return undefined;
  return Object.fromEntries(
    Object.keys(after).map((name) => [
      name,
      Math.max(0, after[name] - (before[name] ?? 0)) / requests,
    ]),
  );
}
