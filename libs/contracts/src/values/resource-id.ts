import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/**
 * What a user or order id may look like. New ids are server-generated UUIDs, but ids are opaque:
 * data brought from the system this replaces keeps ids such as `u1` or `o1`.
 */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const RESOURCE_ID_RULE = '1-64 characters of letters, digits, _ and -';

/** The OpenAPI schema of every id: a pattern, never `format: uuid`, which would refuse `u1`. */
const RESOURCE_ID_SCHEMA = { type: 'string', pattern: RESOURCE_ID_PATTERN.source } as const;

export function isResourceId(value: unknown): value is string {
  return typeof value === 'string' && RESOURCE_ID_PATTERN.test(value);
}

/** An id sent in a body or a query (e.g. an order's `userId`). */
export function ResourceIdField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ ...RESOURCE_ID_SCHEMA, description }),
    Matches(RESOURCE_ID_PATTERN, { message: `$property must be ${RESOURCE_ID_RULE}` }),
  );
}

/** An id in a response body. */
export function ResourceIdProperty(options: { example?: string; required?: boolean } = {}) {
  const { required = true, example } = options;
  const schema = { ...RESOURCE_ID_SCHEMA, example };
  return required ? ApiProperty(schema) : ApiPropertyOptional(schema);
}

/** An id in the path; one that names nothing is 404 whatever its shape. */
export function ResourceIdParam(name: string): MethodDecorator {
  return ApiParam({
    name,
    schema: RESOURCE_ID_SCHEMA,
    description: `Opaque id (${RESOURCE_ID_RULE}); one that names nothing is 404.`,
  });
}
