import { ArgumentMetadata, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common';
import { RequestValidationException, type FieldError } from './problem-details';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = !parent
      ? error.property
      : /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Deeper than any request DTO nests (body → items[] → item → field is 3). Nest's ValidationPipe
 * and class-transformer walk bodies recursively, so a 64 KiB body of nested brackets would
 * overflow the stack and answer 500; such bodies are refused first with 400.
 */
const MAX_BODY_DEPTH = 32;

/** Whether `value` nests objects/arrays deeper than `limit` (iterative: no stack overflow). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.node !== 'object' || next.node === null) continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.node)) {
      pending.push({ node: child, depth: next.depth + 1 });
    }
  }
  return false;
}

/**
 * The global pipe (whitelist, forbidNonWhitelisted, transform) with two additions:
 * failures become problem+json field errors, and a body must be a JSON object — class-validator
 * would otherwise accept an array or a bare value as "nothing to validate".
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      // One message per field: an `emails` that is not an array needs no per-item errors.
      // Decorators run bottom-up, so DTOs put the type check (@IsString, @IsInt…) lowest.
      stopAtFirstError: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new RequestValidationException(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = typeof metadata.metatype === 'function' && metadata.metatype !== Object;
    if (metadata.type === 'body' && isDto) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new RequestValidationException(
          [{ field: '(body)', message: 'the body must be a JSON object' }],
          'The body must be a JSON object.',
        );
      }
      if (nestsDeeperThan(value, MAX_BODY_DEPTH)) {
        throw new RequestValidationException(
          [
            {
              field: '(body)',
              message: `the body must not nest deeper than ${MAX_BODY_DEPTH} levels`,
            },
          ],
          'The body nests too deeply.',
        );
      }
    }
    return super.transform(value, metadata);
  }
}
