import { cpuPerRequest, cpuTimeMs, pidsNamed, readCpu } from './process-cpu';

/**
 * Burns this much CPU time, as the kernel accounts it, not wall time: on a busy machine a wall-time
 * loop gets a share of a core and the reading grows by less.
 */
function spin(ms: number): void {
  const start = process.cpuUsage();
  while (cpuMsSince(start) < ms) {
    // Burn CPU on purpose: the reading must grow by about this much.
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

describe('process CPU readings', () => {
  it('count this process’s CPU time as it burns some', () => {
    const before = cpuTimeMs(process.pid);
    spin(300);
    const used = cpuTimeMs(process.pid) - before;
    expect(used).toBeGreaterThanOrEqual(200);
    expect(used).toBeLessThan(2_000);
  });

  it('read 0 for a process that does not exist', () => {
    expect(cpuTimeMs(2 ** 30)).toBe(0);
  });

  it('find processes by command name', () => {
    expect(pidsNamed('node')).toContain(process.pid);
    expect(pidsNamed('no-such-command-here')).toEqual([]);
  });

  it('give per-request figures by group, none without requests', () => {
    const groups = { self: () => [process.pid], nobody: () => [] };
    const before = readCpu(groups);
    spin(100);
    const perRequest = cpuPerRequest(before, readCpu(groups), 10);
    expect(perRequest?.self).toBeGreaterThan(5);
    expect(perRequest?.nobody).toBe(0);
    expect(cpuPerRequest(before, before, 0)).toBeUndefined();
  });
});
