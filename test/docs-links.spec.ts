import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deadLinks, headingAnchor, markdownFiles } from './support/markdown-links';

const ROOT = join(__dirname, '..');

describe('relative links in the Markdown documentation', () => {
  const files = markdownFiles(ROOT);

  it('finds the README and the docs', () => {
    const names = files.map((file) => relative(ROOT, file));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'bench/README.md']));
  });

  it.each(files.map((file) => [relative(ROOT, file), file]))('%s has no dead link', (_, file) => {
    expect(deadLinks(file)).toEqual([]);
  });
});

describe('deadLinks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'links-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'api.md'), '# API\n\n## Rolling out user-v2 (runbook)\n');
  const readme = join(dir, 'README.md');

  it('accepts existing files, headings and other sites', () => {
    const markdown =
      '[api](docs/api.md) [runbook](docs/api.md#rolling-out-user-v2-runbook) ' +
      '[site](https://example.com/x) [mail](mailto:a@example.com) [folder](docs) ' +
      '[from the root](/README.md)';
    expect(deadLinks(readme, markdown)).toEqual([]);
  });

  it('reports a missing file and a missing heading', () => {
    const markdown =
      '[gone](docs/gone.md) [anchor](docs/api.md#no-such-heading) [root](/no-such-file.md)';
    expect(deadLinks(readme, markdown)).toEqual([
      expect.stringContaining('docs/gone.md'),
      'docs/api.md#no-such-heading → no heading #no-such-heading',
      expect.stringContaining('no-such-file.md'),
    ]);
  });

  it('ignores links inside code', () => {
    expect(deadLinks(readme, '`[x](nowhere.md)`\n```\n[y](nowhere.md)\n```\n')).toEqual([]);
  });

  it('makes anchors as GitHub does', () => {
    expect(headingAnchor('Rolling out user-v2 (runbook)')).toBe('rolling-out-user-v2-runbook');
  });
});
