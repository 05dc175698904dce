import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The repository: a link starting with `/` is relative to it, as on GitHub. */
const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** Folders that hold no documentation of the project's own. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.cache', '.git']);

/** Every Markdown file under `root`, outside generated and third-party folders. */
export function markdownFiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) found.push(...markdownFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.md')) found.push(path);
  }
  return found;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  const headings = [...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => match[1]);
  return new Set(headings.map(headingAnchor));
}

/**
 * The relative links of `file` whose target file (or heading anchor in a Markdown target) does
 * not exist, as `link → why`. Links to other sites and e-mail addresses are not checked.
 */
export function deadLinks(file: string, markdown = readFileSync(file, 'utf8')): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const dead: string[] = [];
  for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
    const [path, anchor] = target.split('#', 2);
    // `/x` is relative to the repository root (as on GitHub), anything else to the file.
    const [base, relativePath] = path.startsWith('/')
      ? [REPOSITORY_ROOT, path.slice(1)]
      : [dirname(file), path];
    const targetFile = path === '' ? file : resolve(base, decodeURI(relativePath));
    if (!existsSync(targetFile)) {
      dead.push(`${target} → no ${relative(process.cwd(), targetFile)}`);
      continue;
    }
    const isMarkdownFile = targetFile.endsWith('.md') && statSync(targetFile).isFile();
    if (anchor && isMarkdownFile && !anchorsOf(readFileSync(targetFile, 'utf8')).has(anchor)) {
      dead.push(`${target} → no heading #${anchor}`);
    }
  }
  return dead;
}
