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
});
