import { RequestValidationException } from './problem-details';

/** Partial updates must change something: at least one of `fields` has to be sent (400 else). */
export function requireAnyField<T extends object>(
  dto: T,
  fields: readonly (keyof T & string)[],
): void {
  if (fields.some((field) => dto[field] !== undefined)) return;
  const list = fields.join(', ');
  throw new RequestValidationException(
    [{ field: '(body)', message: `at least one of ${list} is required` }],
    `Nothing to update: send at least one of ${list}.`,
  );
}
