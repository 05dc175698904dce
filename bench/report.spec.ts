import type { Throughput } from './load';
import { evaluateTargets, toMarkdown, type BenchResult } from './report';

function throughput(rate: number, cpuPerRequestMs?: Record<string, number>): Throughput {
  return { rate, p50Ms: 10, p99Ms: 20, ok: rate * 10, errors: 0, seconds: 10, cpuPerRequestMs };
}

function resultWith(operations: BenchResult['operations']): BenchResult {
  const result = {
    label: 'test',
    backend: 'postgresql',
    engine: 'FerretDB',
    startedAt: '2026-11-28T00:00:00.000Z',
    commit: 'abc1234',
    machine: '2 × CPU',
    cores: 2,
    quick: true,
    operations,
    lag: [],
    fanOut: [],
    nothingLost: { users: 0, missing: 0 },
    commands: [],
    failures: [],
  };
  return { ...result, targets: evaluateTargets(result) };
}

describe('bench report', () => {
  it('shows where each request’s CPU went and the rate the engine alone would allow', () => {
    const markdown = toMarkdown(
      resultWith([
        {
          name: 'POST /users',
          write: true,
          service: throughput(100, { 'user-v2': 8, order: 6, FerretDB: 6, PostgreSQL: 4 }),
          floor: throughput(500, { floor: 1.2, FerretDB: 1.5, PostgreSQL: 1 }),
        },
      ]),
    );

    expect(markdown).toContain(
      '| operation | run | user-v2 | order | floor | FerretDB | PostgreSQL |',
    );
    // 2 cores = 2,000 ms of CPU a second; the engine takes 10 ms of it per request.
    expect(markdown).toContain(
      '| POST /users | service | 8.00 | 6.00 | — | 6.00 | 4.00 | 24.00 | 200 req/s |',
    );
    expect(markdown).toContain(
      '| POST /users | floor | — | — | 1.20 | 1.50 | 1.00 | 3.70 | 800 req/s |',
    );
  });

  it('leaves the CPU table out when no process was measured', () => {
    const markdown = toMarkdown(
      resultWith([
        { name: 'GET /users/{id}', write: false, service: throughput(10), floor: throughput(20) },
      ]),
    );
    expect(markdown).not.toContain('CPU per answered request');
  });

  it('holds the order listing to half the floor with p99 ≤ 100 ms', () => {
    const listing = (p99Ms: number): BenchResult['operations'][number] => ({
      name: 'GET /orders?status (100 per page)',
      write: false,
      service: { ...throughput(60), p99Ms },
      floor: throughput(100),
    });
    const target = (result: BenchResult) =>
      result.targets.find((each) => each.what.startsWith('GET /orders?status'));

    expect(target(resultWith([listing(80)]))).toMatchObject({
      met: true,
      detail: '60.0 %, p99 80 ms',
    });
    expect(target(resultWith([listing(140)]))?.met).toBe(false);
  });

  it('judges sync lag at 20 and at 100 PUT/s, each against its own bound', () => {
    const lag = (offeredPerSecond: number, p99Ms: number) => ({
      offeredPerSecond,
      achievedPerSecond: offeredPerSecond,
      p50Ms: 10,
      p95Ms: p99Ms,
      p99Ms,
      maxMs: p99Ms,
      count: 100,
      errors: 0,
      missing: 0,
    });
    const result = resultWith([]);
    const targets = evaluateTargets({ ...result, lag: [lag(20, 90), lag(100, 200)] });
    const lagTargets = targets.filter((each) => each.what.startsWith('sync lag'));
    expect(lagTargets.map((each) => [each.what, each.met])).toEqual([
      ['sync lag p99 ≤ 100 ms at 20 PUT/s', true],
      ['sync lag p99 ≤ 250 ms at 100 PUT/s', true],
    ]);
    const slow = evaluateTargets({ ...result, lag: [lag(20, 90), lag(100, 300)] });
    expect(slow.find((each) => each.what.endsWith('100 PUT/s'))?.met).toBe(false);
  });
});
