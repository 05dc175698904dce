/**
 * The kinds of rule a field can have. Each entity's table (field-rules.ts) states a field's rule
 * once; the DTO validators and OpenAPI metadata (rule-decorators.ts), the collections' `$jsonSchema`
 * validators and the Mongoose props (libs/database, field-schemas.ts) are all produced from it.
 */
export interface TextRule {
  readonly kind: 'text';
  /** Required non-empty after trimming (class-validator's IsNotEmpty; minLength 1 in storage). */
  readonly nonEmpty?: boolean;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** The pattern in words, for error messages. */
  readonly patternRule?: string;
  /** An email address: the API checks it with IsEmail, the database with a looser pattern. */
  readonly email?: boolean;
}

/** A whole number; stored as int32 or int64. */
export interface IntegerRule {
  readonly kind: 'integer';
  readonly minimum: number;
  readonly maximum?: number;
}

/** A JSON number, e.g. a price. */
export interface AmountRule {
  readonly kind: 'amount';
  readonly minimum: number;
  readonly maximum?: number;
  readonly maxDecimalPlaces?: number;
}

export interface ChoiceRule<Value extends string = string> {
  readonly kind: 'choice';
  readonly values: readonly Value[];
}

export interface ListRule {
  readonly kind: 'list';
  readonly minItems: number;
  readonly maxItems: number;
  readonly uniqueItems?: boolean;
  /** The rule of each item, when the items are values rather than nested objects. */
  readonly items?: TextRule;
}

export type FieldRule = TextRule | IntegerRule | AmountRule | ChoiceRule | ListRule;

// Each keeps what the table states in its type, so `ORDER_ITEM_RULES.price.maximum` is a number.
export function text<Rule extends Omit<TextRule, 'kind'>>(rule: Rule): Rule & TextRule {
  return { kind: 'text', ...rule };
}

export function integer<Rule extends Omit<IntegerRule, 'kind'>>(rule: Rule): Rule & IntegerRule {
  return { kind: 'integer', ...rule };
}

export function amount<Rule extends Omit<AmountRule, 'kind'>>(rule: Rule): Rule & AmountRule {
  return { kind: 'amount', ...rule };
}

export function choice<Value extends string>(values: readonly Value[]): ChoiceRule<Value> {
  return { kind: 'choice', values };
}

export function list<Rule extends Omit<ListRule, 'kind'>>(rule: Rule): Rule & ListRule {
  return { kind: 'list', ...rule };
}
