import { FIRST_USER_VERSION, MIN_PRICE, MIN_QUANTITY, ORDER_STATUSES } from '@aware/contracts';

/** The subset of MongoDB's `$jsonSchema` dialect (bsonType, not type) the validators use. */
export interface BsonSchema {
  bsonType: string | readonly string[];
  required?: readonly string[];
  properties?: Readonly<Record<string, BsonSchema>>;
  items?: BsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly string[];
}

/**
 * A rule the database checks twice: in the collection's `$jsonSchema` validator, which db:setup
 * installs, and in the Mongoose schema, which `Model.create` validates against (the only check on
 * an engine without validators, such as FerretDB). Built once, so the two cannot drift apart.
 *
 * Only minimums and enums are checked twice. Lengths and patterns are left to the validators:
 * Mongoose counts UTF-16 code units where MongoDB counts code points, so a Mongoose maxlength
 * would refuse an address written in emoji that the API and the validator accept.
 */
interface FieldRule<PropOptions> {
  readonly bson: BsonSchema;
  readonly prop: PropOptions;
}

interface MinimumProp {
  type: NumberConstructor;
  min: number;
}

interface EnumProp {
  type: StringConstructor;
  enum: readonly string[];
}

// The driver stores integral JS numbers as int32; long covers values written by other tools.
const INTEGER = ['int', 'long'] as const;

function integerAtLeast(minimum: number): FieldRule<MinimumProp> {
  return { bson: { bsonType: INTEGER, minimum }, prop: { type: Number, min: minimum } };
}

function numberAtLeast(minimum: number): FieldRule<MinimumProp> {
  return { bson: { bsonType: 'number', minimum }, prop: { type: Number, min: minimum } };
}

function oneOf(values: readonly string[]): FieldRule<EnumProp> {
  return { bson: { bsonType: 'string', enum: values }, prop: { type: String, enum: values } };
}

export const USER_VERSION = integerAtLeast(FIRST_USER_VERSION);
/** The first claim of an email is generation 0. */
export const CLAIM_GENERATION = integerAtLeast(0);
export const LEASE_TERM = integerAtLeast(1);
export const ITEM_QUANTITY = integerAtLeast(MIN_QUANTITY);
export const ITEM_PRICE = numberAtLeast(MIN_PRICE);
/** A sum of prices, none of them negative. */
export const TOTAL_PRICE = numberAtLeast(0);
export const ORDER_STATUS = oneOf(ORDER_STATUSES);
/** The user version an order's contact fields reflect; 0 when they came from the request. */
export const ORDER_USER_VERSION = integerAtLeast(0);
