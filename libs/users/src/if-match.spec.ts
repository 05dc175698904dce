import { etagOf, ifMatchSatisfied } from './if-match';

describe('If-Match against integer versions', () => {
  it.each([
    [undefined, 3, true],
    ['"3"', 3, true],
    ['W/"3"', 3, true],
    ['3', 3, true],
    ['*', 3, true],
    ['"1", "3"', 3, true],
    ['"2"', 3, false],
    ['"30"', 3, false],
    ['garbage', 3, false],
    ['', 3, false],
  ])('%p against version %p → %p', (header, version, expected) => {
    expect(ifMatchSatisfied(header, version)).toBe(expected);
  });

  it('quotes the version as a strong ETag', () => {
    expect(etagOf(7)).toBe('"7"');
  });
});
