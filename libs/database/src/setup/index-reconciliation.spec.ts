import { OrderSchema } from '../orders/order.schema';
import {
  indexName,
  staleIndexes,
  type DeclaredIndex,
  type ListedIndex,
} from './index-reconciliation';

const ORDER_INDEXES: DeclaredIndex[] = OrderSchema.indexes().map(([key, options]) => ({
  key,
  options,
}));

/** What listIndexes answers for the declared indexes, with what DocumentDB adds to each. */
function listedAsDeclared(declared: readonly DeclaredIndex[]): ListedIndex[] {
  return [
    { v: 2, key: { _id: 1 }, name: '_id_' },
    ...declared.map((index) => ({
      v: 2,
      key: index.key,
      name: indexName(index),
      ...(index.options.unique === true && { unique: true }),
      enableCompositeTerm: 1,
    })),
  ];
}

describe('index reconciliation (db:setup)', () => {
  it('declares orderId as a plain index: `_id` decides uniqueness', () => {
    const orderId = ORDER_INDEXES.find((index) => indexName(index) === 'orderId_1');
    expect(orderId?.key).toEqual({ orderId: 1 });
    expect(orderId?.options.unique).toBeUndefined();
    expect(ORDER_INDEXES.some((index) => index.options.unique)).toBe(false);
  });

  it('finds the unique orderId_1 of an orders collection set up by the older release', () => {
    const listed = listedAsDeclared(ORDER_INDEXES).map((index) =>
      index.name === 'orderId_1' ? { ...index, unique: true } : index,
    );
    const stale = staleIndexes(listed, ORDER_INDEXES);
    expect(stale.map(({ index }) => index.name)).toEqual(['orderId_1']);
    expect(stale[0].replacement.key).toEqual({ orderId: 1 });
  });

  it('finds nothing once the indexes are as declared (build options and engine options aside)', () => {
    expect(ORDER_INDEXES.every((index) => index.options.background === true)).toBe(true);
    expect(staleIndexes(listedAsDeclared(ORDER_INDEXES), ORDER_INDEXES)).toEqual([]);
  });

  it('finds an index declared plain that a server holds as unique, engine options aside', () => {
    // Mongoose declares `background: true`; DocumentDB lists `enableCompositeTerm` on each index.
    const declared: DeclaredIndex[] = [{ key: { a: 1 }, options: { background: true } }];
    const unique: ListedIndex = { v: 2, key: { a: 1 }, name: 'a_1', unique: true };
    const plain: ListedIndex = { v: 2, key: { a: 1 }, name: 'a_1', enableCompositeTerm: 1 };
    expect(staleIndexes([unique], declared)).toEqual([{ index: unique, replacement: declared[0] }]);
    expect(staleIndexes([plain], declared)).toEqual([]);
  });

  it('takes `unique: false` and no `unique` alike', () => {
    const declared = [{ key: { a: 1 }, options: { unique: false } }];
    expect(staleIndexes([{ name: 'a_1', key: { a: 1 } }], declared)).toEqual([]);
  });

  it('finds a declared name on another key', () => {
    const declared = [{ key: { a: 1, b: -1 }, options: {} }];
    expect(indexName(declared[0])).toBe('a_1_b_-1');
    const otherKey = { name: 'a_1_b_-1', key: { b: -1, a: 1 } };
    expect(staleIndexes([otherKey], declared).map(({ index }) => index)).toEqual([otherKey]);
  });

  it('leaves `_id_` and indexes under names nothing declares alone, even on a declared key', () => {
    const declared = [{ key: { a: 1 }, options: {} }];
    const listed = [
      { name: '_id_', key: { _id: 1 } },
      { name: 'a_1', key: { a: 1 } },
      { name: 'by_a', key: { a: 1 }, unique: true },
      { name: 'c_1', key: { c: 1 }, unique: true },
    ];
    expect(staleIndexes(listed, declared)).toEqual([]);
  });

  it('compares the options that define an index: partial filter, TTL, sparse, collation', () => {
    const declared: DeclaredIndex[] = [
      {
        key: { a: 1 },
        options: { partialFilterExpression: { b: { $exists: true } }, expireAfterSeconds: 60 },
      },
      { key: { c: 1 }, options: { sparse: true, collation: { locale: 'en', strength: 2 } } },
    ];
    const asDeclared: ListedIndex[] = [
      {
        name: 'a_1',
        key: { a: 1 },
        partialFilterExpression: { b: { $exists: true } },
        expireAfterSeconds: 60,
      },
      // The server spells a collation out in full.
      {
        name: 'c_1',
        key: { c: 1 },
        sparse: true,
        collation: { locale: 'en', caseLevel: false, strength: 2, version: '57.1' },
      },
    ];
    expect(staleIndexes(asDeclared, declared)).toEqual([]);
    const changed = [
      { ...asDeclared[0], expireAfterSeconds: 3600 },
      { ...asDeclared[1], collation: { locale: 'fr', strength: 2 } },
    ];
    expect(staleIndexes(changed, declared).map(({ index }) => index.name)).toEqual(['a_1', 'c_1']);
  });
});
