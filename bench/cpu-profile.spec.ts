import { cpuMarkdown, originOf, summariseProfile } from './cpu-profile';

describe('CPU profile summary', () => {
  it('tells where code lives', () => {
    expect(originOf('file:///app/node_modules/mongodb/lib/cmap/connection.js', 'write')).toBe(
      'mongodb',
    );
    expect(originOf('file:///app/node_modules/@nestjs/core/router/x.js', 'f')).toBe('@nestjs/core');
    expect(originOf('node:internal/streams/writable', 'write')).toBe('node/v8');
    expect(originOf('file:///app/dist/apps/order/main.js', 'apply')).toBe('aware (bundled)');
    expect(originOf('', '(garbage collector)')).toBe('garbage collector');
  });

  it('counts self time per function and origin, leaving idle time out', () => {
    const summary = summariseProfile('order', {
      startTime: 0,
      endTime: 1_000_000, // 1 s in microseconds
      samples: new Array<number>(100).fill(1),
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, hitCount: 50 },
        {
          id: 2,
          callFrame: {
            functionName: 'serialize',
            url: 'file:///app/node_modules/bson/lib/bson.cjs',
            lineNumber: 9,
          },
          hitCount: 30,
        },
        {
          id: 3,
          callFrame: {
            functionName: 'apply',
            url: 'file:///app/dist/apps/order/main.js',
            lineNumber: 0,
          },
          hitCount: 20,
        },
      ],
    });
    expect(summary.profiledMs).toBe(1000);
    expect(summary.busyMs).toBeCloseTo(500);
    expect(summary.byOrigin.map((row) => [row.name, Math.round(row.share * 100)])).toEqual([
      ['bson', 60],
      ['aware (bundled)', 40],
    ]);
    expect(summary.topFunctions[0].name).toBe('serialize bson/lib/bson.cjs:10');
    expect(cpuMarkdown('test', [summary])).toContain('| bson | 0.30 s | 60.0 % |');
  });
});
