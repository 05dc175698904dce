import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  type ValidationOptions,
} from 'class-validator';
import type { FieldRule, ListRule, TextRule } from './field-rule';

/** The OpenAPI keywords of a rule, as the documents show them. */
interface RuleDocs {
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

/**
 * What the OpenAPI documents say of a rule. Not every keyword is documented: `nonEmpty` is left
 * to the validation message, as it always was, so the documents stay as clients know them.
 */
export function documented(rule: FieldRule): RuleDocs {
  switch (rule.kind) {
    case 'text':
      return {
        ...(rule.maxLength !== undefined && { maxLength: rule.maxLength }),
        ...(rule.pattern && { pattern: rule.pattern.source }),
      };
    case 'integer':
    case 'amount':
      return {
        minimum: rule.minimum,
        ...(rule.maximum !== undefined && { maximum: rule.maximum }),
      };
    case 'choice':
      return { enum: rule.values };
    case 'list':
      return {
        minItems: rule.minItems,
        maxItems: rule.maxItems,
        ...(rule.uniqueItems && { uniqueItems: true }),
      };
  }
}

/** A text rule's checks; with `each`, of every item of a list. The type check comes first. */
function textValidators(rule: TextRule, each: ValidationOptions = {}): PropertyDecorator[] {
  const checks: PropertyDecorator[] = [];
  if (!each.each) checks.push(IsString());
  if (rule.nonEmpty) checks.push(IsNotEmpty(each));
  if (rule.maxLength !== undefined) checks.push(MaxLength(rule.maxLength, each));
  if (rule.pattern) {
    const message = `$property must be ${rule.patternRule ?? `of the form ${rule.pattern.source}`}`;
    checks.push(Matches(rule.pattern, { ...each, message }));
  }
  if (rule.email) {
    const message = 'each value in $property must be a valid email address';
    checks.push(IsEmail({}, { ...each, message }));
  }
  return checks;
}

function listValidators(rule: ListRule): PropertyDecorator[] {
  const repeated = rule.items?.email ? 'address' : 'value';
  return [
    IsArray(),
    ArrayMinSize(rule.minItems),
    ArrayMaxSize(rule.maxItems),
    ...(rule.items ? textValidators(rule.items, { each: true }) : []),
    ...(rule.uniqueItems
      ? [ArrayUnique({ message: `$property must not contain the same ${repeated} twice` })]
      : []),
  ];
}

/**
 * The class-validator checks of a rule, in the order they run: with the pipe's stopAtFirstError,
 * the first that fails is the one a client reads.
 */
export function Validated(rule: FieldRule): PropertyDecorator {
  switch (rule.kind) {
    case 'text':
      return applyDecorators(...textValidators(rule));
    case 'integer':
      return applyDecorators(
        IsInt(),
        Min(rule.minimum),
        ...(rule.maximum !== undefined ? [Max(rule.maximum)] : []),
      );
    case 'amount':
      return applyDecorators(
        IsNumber({
          allowNaN: false,
          allowInfinity: false,
          ...(rule.maxDecimalPlaces !== undefined && { maxDecimalPlaces: rule.maxDecimalPlaces }),
        }),
        Min(rule.minimum),
        ...(rule.maximum !== undefined ? [Max(rule.maximum)] : []),
      );
    case 'choice':
      return IsIn(rule.values);
    case 'list':
      return applyDecorators(...listValidators(rule));
  }
}
