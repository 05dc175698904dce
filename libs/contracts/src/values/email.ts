import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  MaxLength,
} from 'class-validator';

export const MAX_EMAILS = 10;

/** Emails are stored trimmed and lower-cased, so equality is case-insensitive everywhere. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The rules of an email list (SPEC §4): 1–10 valid addresses, normalised, no repeats.
 * Non-string items are left untouched so the validators can name them.
 */
export function EmailList(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      type: [String],
      minItems: 1,
      maxItems: MAX_EMAILS,
      uniqueItems: true,
      example: ['ada@example.com'],
      description: 'Valid addresses; stored trimmed and lower-cased; compared case-insensitively.',
    }),
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value)
        ? value.map((item: unknown) => (typeof item === 'string' ? normalizeEmail(item) : item))
        : value,
    ),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_EMAILS),
    MaxLength(254, { each: true }),
    IsEmail({}, { each: true, message: 'each value in $property must be a valid email address' }),
    ArrayUnique({ message: '$property must not contain the same address twice' }),
  );
}
