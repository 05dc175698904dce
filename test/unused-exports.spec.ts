import { join } from 'node:path';
import { findUnusedExports } from './support/unused-exports';

const ROOT = join(__dirname, '..');

describe('exports', () => {
  it('exports only names another file imports (docs/development.md, "Exports")', () => {
    const unused = findUnusedExports(ROOT).map(({ id, line }) => `${id} (line ${line})`);
    expect(unused).toEqual([]);
  });
});
