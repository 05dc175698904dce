import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/**
 * What a user or order id may look like. New ids are server-generated UUIDs, but ids are opaque:
 * data brought from the system this replaces keeps ids such as `u1` or `o1`.
 */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const RESOURCE_ID_RULE = '1-64 characters of letters, digits, _ and -';

export function isResourceId(value: unknown): value is string {
  return typeof value === 'string' && RESOURCE_ID_PATTERN.test(value);
}

/** An id sent in a body or a query (e.g. an order's `userId`). */
export function ResourceIdField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ pattern: RESOURCE_ID_PATTERN.source, description }),
    Matches(RESOURCE_ID_PATTERN, { message: `$property must be ${RESOURCE_ID_RULE}` }),
  );
}
