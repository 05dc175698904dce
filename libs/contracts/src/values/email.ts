import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { EMAIL_LIST } from '../fields/field-rules';
import { documented, Validated } from '../fields/rule-decorators';

/**
 * Emails are stored trimmed, lower-cased and in Unicode NFC, so equality is case-insensitive
 * everywhere and `café` typed precomposed or decomposed is one address.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase().normalize('NFC');
}

/** Control and format characters: zero-width spaces and joiners, bidi overrides, BOMs. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Refuses what would make two addresses look alike but differ: invisible characters, and
 * compatibility forms (fullwidth letters, ligatures, non-breaking spaces) that NFKC folds.
 */
export function lookAlikeProblem(email: string): string | undefined {
  if (INVISIBLE.test(email)) return 'must not contain invisible or control characters';
  if (email.normalize('NFKC') !== email) {
    return 'must not contain compatibility characters such as fullwidth letters';
  }
  return undefined;
}

function NoLookAlikeCharacters(): PropertyDecorator {
  return ValidateBy({
    name: 'noLookAlikeCharacters',
    validator: {
      validate: (value: unknown) =>
        !Array.isArray(value) ||
        value.every((item) => typeof item !== 'string' || !lookAlikeProblem(item)),
      defaultMessage: (args?: ValidationArguments) => {
        const items: unknown[] = Array.isArray(args?.value) ? args.value : [];
        const bad = items.find(
          (item): item is string => typeof item === 'string' && !!lookAlikeProblem(item),
        );
        return `each value in $property ${bad ? lookAlikeProblem(bad) : 'must be plain text'}`;
      },
    },
  });
}

/**
 * The rules of an email list (docs/api.md): EMAIL_LIST's number of valid addresses, normalised, no
 * repeats. Non-string items are left untouched so the validators can name them.
 */
export function EmailList(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      type: [String],
      ...documented(EMAIL_LIST),
      example: ['ada@example.com'],
      description: 'Valid addresses; stored trimmed and lower-cased; compared case-insensitively.',
    }),
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value)
        ? value.map((item: unknown) => (typeof item === 'string' ? normalizeEmail(item) : item))
        : value,
    ),
    Validated(EMAIL_LIST),
    NoLookAlikeCharacters(),
  );
}
