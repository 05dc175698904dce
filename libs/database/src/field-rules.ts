import {
  integer,
  type AmountRule,
  type ChoiceRule,
  type FieldRule,
  type IntegerRule,
} from '@aware/contracts';

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
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly string[];
}

/**
 * What the API's email rule (class-validator's IsEmail, TLD required) lets through, loosely: the
 * database is the last line of defence, and must never reject an address the API accepted —
 * IsEmail allows quoted local parts, which may hold spaces and `@`.
 */
export const EMAIL_PATTERN = '^.+@[^\\s@]+\\.[^\\s@]+$';

// The driver stores integral JS numbers as int32; long covers values written by other tools.
const INTEGER = ['int', 'long'] as const;

/** A field's rule as the collection's `$jsonSchema` validator states it. */
export function bsonSchemaOf(rule: FieldRule): BsonSchema {
  switch (rule.kind) {
    case 'text':
      return {
        bsonType: 'string',
        ...(rule.nonEmpty && { minLength: 1 }),
        ...(rule.maxLength !== undefined && { maxLength: rule.maxLength }),
        ...(rule.pattern && { pattern: rule.pattern.source }),
        ...(rule.email && { pattern: EMAIL_PATTERN }),
      };
    case 'integer':
    case 'amount':
      return {
        bsonType: rule.kind === 'integer' ? INTEGER : 'number',
        minimum: rule.minimum,
        ...(rule.maximum !== undefined && { maximum: rule.maximum }),
      };
    case 'choice':
      return { bsonType: 'string', enum: rule.values };
    case 'list':
      return {
        bsonType: 'array',
        minItems: rule.minItems,
        maxItems: rule.maxItems,
        ...(rule.uniqueItems && { uniqueItems: true }),
        ...(rule.items && { items: bsonSchemaOf(rule.items) }),
      };
  }
}

interface MinimumProp {
  type: NumberConstructor;
  min: number;
}

interface EnumProp {
  type: StringConstructor;
  enum: readonly string[];
}

/**
 * A field's rule as its Mongoose prop states it, which `Model.create` validates against (the only
 * [engine-note: optional-validators]
 * check on an engine without validators, such as FerretDB). Only minimums and enums: Mongoose
 * counts UTF-16 code units where MongoDB counts code points, so a Mongoose maxlength would refuse
 * an address written in emoji that the API and the validator accept.
 */
export function propOf(rule: IntegerRule | AmountRule | ChoiceRule): MinimumProp | EnumProp {
  return rule.kind === 'choice'
    ? { type: String, enum: rule.values }
    : { type: Number, min: rule.minimum };
}

/** The storage-only fields: claim generations and lease terms never cross the API. */
export const EMAIL_CLAIM_RULES = {
  /** The first claim of an email is generation 0. */
  generation: integer({ minimum: 0 }),
} as const;

export const WRITER_LEASE_RULES = {
  term: integer({ minimum: 1 }),
} as const;
