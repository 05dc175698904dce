import type { Model } from 'mongoose';
import { errorCode } from '../mongo-errors';

/** An index as the schema declares it (`schema.indexes()`). */
export interface DeclaredIndex {
  key: Readonly<Record<string, unknown>>;
  options: Readonly<Record<string, unknown>>;
}

/** An index as the server lists it (`listIndexes`): its name, key and options side by side. */
export interface ListedIndex {
  name: string;
  key: Readonly<Record<string, unknown>>;
  [option: string]: unknown;
}

/** An index setup dropped because it is in the way of a declared one, which replaces it. */
export interface RebuiltIndex {
  /** The index that was there, as `<name> <key> <options>`. */
  was: string;
  /** The index as declared, created in its place. */
  now: string;
}

/**
 * The options that make two indexes on one key different indexes, which MongoDB compares when
 * asked to create an index that exists (IndexKeySpecsConflict, 86, for another definition under
 * the same name). The others say how to build an index (`background`) or are an engine's own
 * (DocumentDB's `enableCompositeTerm`, which the engine adds to every index it lists).
 */
const DEFINING_OPTIONS = [
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'collation',
] as const;

/** The name the driver and the server give an index that is not named: `field_1_other_-1`. */
export function indexName({ key, options }: DeclaredIndex): string {
  return typeof options.name === 'string'
    ? options.name
    : Object.entries(key)
        .map(([field, direction]) => `${field}_${String(direction)}`)
        .join('_');
}

/** The defining options that are set: `unique: false` says what no `unique` says. */
function definitionOf(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const definition: Record<string, unknown> = {};
  for (const option of DEFINING_OPTIONS) {
    const value = options[option];
    if (value !== undefined && value !== false) definition[option] = value;
  }
  return definition;
}

function sameKey(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) {
  // Field order is part of an index's key.
  return JSON.stringify(Object.entries(a)) === JSON.stringify(Object.entries(b));
}

/** A listed collation is spelled out in full; the declared one names only what it sets. */
function sameCollation(listed: unknown, declared: unknown): boolean {
  if (typeof listed !== 'object' || listed === null) return false;
  if (typeof declared !== 'object' || declared === null) return false;
  const full = listed as Record<string, unknown>;
  return Object.entries(declared).every(([field, value]) => full[field] === value);
}

function sameDefinition(listed: ListedIndex, declared: DeclaredIndex): boolean {
  const have = definitionOf(listed);
  const want = definitionOf(declared.options);
  const options = new Set([...Object.keys(have), ...Object.keys(want)]);
  return [...options].every((option) =>
    option === 'collation'
      ? sameCollation(have.collation, want.collation)
      : JSON.stringify(have[option]) === JSON.stringify(want[option]),
  );
}

function summary(name: string, key: object, options: Readonly<Record<string, unknown>>): string {
  const definition = definitionOf(options);
  const stated = Object.keys(definition).length > 0 ? ` ${JSON.stringify(definition)}` : '';
  return `${name} ${JSON.stringify(key)}${stated}`;
}

/**
 * The listed indexes that stand in the way of a declared one, each with the declared index that
 * replaces it: one under a declared name with another key or other defining options (an orders
 * collection set up when `orderId_1` was unique). Servers match an index to create by its name,
 * and refuse another definition under it. The `_id` index and indexes under names nothing
 * declares (an operator's own, even on a declared key) are left alone.
 */
export function staleIndexes(
  listed: readonly ListedIndex[],
  declared: readonly DeclaredIndex[],
): { index: ListedIndex; replacement: DeclaredIndex }[] {
  const byName = new Map(declared.map((index) => [indexName(index), index]));
  const stale: { index: ListedIndex; replacement: DeclaredIndex }[] = [];
  for (const index of listed) {
    const replacement = byName.get(index.name);
    if (!replacement || index.name === '_id_') continue;
    if (sameKey(index.key, replacement.key) && sameDefinition(index, replacement)) continue;
    stale.push({ index, replacement });
  }
  return stale;
}

/** MongoDB's code for dropping an index that is not there (another setup dropped it first). */
const INDEX_NOT_FOUND = 27;

/**
 * Brings a model's collection to the indexes its schema declares: drops each index that stands
 * in the way of a declared one (staleIndexes), then creates every declared index that is missing.
 * Idempotent; the result names what was rebuilt. The collection must exist.
 */
export async function reconcileIndexes<T>(model: Model<T>): Promise<RebuiltIndex[]> {
  const declared = model.schema
    .indexes()
    .map(([key, options]): DeclaredIndex => ({ key, options }));
  const listed = (await model.collection.listIndexes().toArray()) as ListedIndex[];
  const rebuilt: RebuiltIndex[] = [];
  for (const { index, replacement } of staleIndexes(listed, declared)) {
    try {
      await model.collection.dropIndex(index.name);
    } catch (error) {
      if (errorCode(error) !== INDEX_NOT_FOUND) throw error;
    }
    rebuilt.push({
      was: summary(index.name, index.key, index),
      now: summary(indexName(replacement), replacement.key, replacement.options),
    });
  }
  await model.createIndexes();
  return rebuilt;
}
