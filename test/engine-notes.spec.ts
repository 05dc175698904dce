import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const MARKER = /\[engine-note: ([a-z0-9-]+)\]/g;

/** Every TypeScript source file of the apps and libs. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The notes each source file marks, as `note → files`. */
function markedNotes(files: string[]): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  for (const file of files) {
    for (const [, note] of readFileSync(file, 'utf8').matchAll(MARKER)) {
      notes.set(note, [...(notes.get(note) ?? []), relative(ROOT, file)]);
    }
  }
  return notes;
}

/** The sections of the engine notes, by their `## name` headings. */
function documentedNotes(markdown: string): string[] {
  return [...markdown.matchAll(/^## ([a-z0-9-]+)$/gm)].map((match) => match[1]);
}

/** What disagrees between the markers and the sections. */
function mismatches(marked: Map<string, string[]>, documented: string[]): string[] {
  return [
    ...[...marked.keys()]
      .filter((note) => !documented.includes(note))
      .map((note) => `${note} is marked in ${marked.get(note)!.join(', ')} but has no section`),
    ...documented.filter((note) => !marked.has(note)).map((note) => `${note} marks no place`),
  ];
}

describe('engine notes', () => {
  const marked = markedNotes([
    ...sourceFiles(join(ROOT, 'apps')),
    ...sourceFiles(join(ROOT, 'libs')),
  ]);
  const documented = documentedNotes(readFileSync(join(ROOT, 'docs', 'engine-notes.md'), 'utf8'));

  it('document every marked workaround, and mark every documented one', () => {
    expect(documented.length).toBeGreaterThan(5);
    expect(mismatches(marked, documented)).toEqual([]);
  });

  it('catch a marker without a section and a section without a marker', () => {
    const planted = new Map([
      ['writer-lease', ['a.ts']],
      ['unheard-of', ['b.ts']],
    ]);
    expect(mismatches(planted, ['writer-lease', 'gone'])).toEqual([
      'unheard-of is marked in b.ts but has no section',
      'gone marks no place',
    ]);
  });
});
