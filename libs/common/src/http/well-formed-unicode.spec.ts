import { illFormedUnicodeFields } from './well-formed-unicode';

const fields = (body: unknown): string[] => illFormedUnicodeFields(body).map((e) => e.field);

describe('illFormedUnicodeFields', () => {
  it('finds lone high and low surrogates in values and keys, named as validation names fields', () => {
    const body = {
      emails: ['ok@example.com', 'a\ud800b@example.com'],
      deliveryAddress: { street: 'x\udc00', ['k\ud800']: 'v' },
      items: [{ itemId: 'fine' }, { itemId: '\udfff' }],
    };
    expect(fields(body)).toEqual([
      'emails[1]',
      'deliveryAddress.street',
      'deliveryAddress.k\ufffd',
      'items[1].itemId',
    ]);
  });

  it('accepts well-formed text, surrogate pairs included, and non-string values', () => {
    expect(fields({ a: 'sku-\u{1F600}', b: ['\ud83d\ude00'], c: 1, d: null, e: true })).toEqual([]);
  });

  it('names the body when the body itself is an ill-formed string', () => {
    expect(fields('\ud800')).toEqual(['(body)']);
  });

  it('reports in document order, a bounded number, without recursing (deep bodies)', () => {
    let deep: unknown = '\ud800';
    for (let depth = 0; depth < 100_000; depth += 1) deep = [deep];
    expect(fields(deep)).toHaveLength(1);
    expect(illFormedUnicodeFields(Array.from({ length: 1_000 }, () => '\ud800'))).toHaveLength(20);
  });
});
