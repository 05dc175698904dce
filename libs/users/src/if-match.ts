/**
 * Parses If-Match against integer versions: `"3"`, `W/"3"`, `3`, a list, or `*`.
 * Returns whether `version` satisfies it; an absent header always does.
 */
export function ifMatchSatisfied(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  return header
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((tag) => tag === '*' || tag === String(version));
}

export function etagOf(version: number): string {
  return `"${version}"`;
}
