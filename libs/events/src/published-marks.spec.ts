import type { EntryVersion } from './outbox-store';
import { PublishedMarks } from './published-marks';

/** A write the test finishes by hand, to hold a batch in flight. */
function heldWrites(): {
  marks: PublishedMarks;
  batches: EntryVersion[][];
  finish(error?: Error): void;
} {
  const batches: EntryVersion[][] = [];
  let settle: ((error?: Error) => void) | undefined;
  const marks = new PublishedMarks((entries) => {
    batches.push(entries);
    return new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
  });
  return { marks, batches, finish: (error) => settle?.(error) };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PublishedMarks', () => {
  it('writes a mark at once when nothing is being written', async () => {
    const { marks, batches, finish } = heldWrites();
    const marked = marks.mark({ key: 'u1', version: 1 });
    expect(batches).toEqual([[{ key: 'u1', version: 1 }]]);
    finish();
    await expect(marked).resolves.toBeUndefined();
  });

  it('puts the marks that arrive during a write into one next write', async () => {
    const { marks, batches, finish } = heldWrites();
    const first = marks.mark({ key: 'u1', version: 1 });
    const second = marks.mark({ key: 'u2', version: 3 });
    const third = marks.mark({ key: 'u3', version: 2 });
    expect(batches).toHaveLength(1);
    finish();
    await first;
    await flush();
    expect(batches[1]).toEqual([
      { key: 'u2', version: 3 },
      { key: 'u3', version: 2 },
    ]);
    finish();
    await Promise.all([second, third]);
  });

  it('fails every mark of a failed write, and the next mark writes again', async () => {
    const { marks, batches, finish } = heldWrites();
    const held = marks.mark({ key: 'u1', version: 1 });
    const failing = [marks.mark({ key: 'u2', version: 1 }), marks.mark({ key: 'u3', version: 1 })];
    finish();
    await held;
    await flush();
    finish(new Error('database down'));
    for (const mark of failing) await expect(mark).rejects.toThrow('database down');

    const later = marks.mark({ key: 'u4', version: 1 });
    expect(batches).toHaveLength(3);
    finish();
    await later;
  });
});
