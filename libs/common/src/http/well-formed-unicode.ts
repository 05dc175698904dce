import { RequestValidationException, type FieldError } from './problem-details';

/**
 * A lone surrogate: a UTF-16 half that is not part of a pair. In `u` mode a pair is one code
 * point, so only unpaired halves match.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
/** Enough to show what is wrong; a 64 KiB body could otherwise list thousands. */
const MAX_ERRORS = 20;

/** A field path as validation errors name it: `deliveryAddress.city`, `items[0].itemId`. */
function fieldPath(parent: string, key: string, inArray: boolean): string {
  if (inArray) return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Shows a key in an error without its lone surrogates (U+FFFD in their place). */
function printable(key: string): string {
  return key.replace(LONE_SURROGATES, '\uFFFD');
}

/**
 * Every string in `body`, keys included, that is not well-formed UTF-16. JSON can carry a lone
 * surrogate as an escape (`"\ud800"`); such a string cannot be stored as UTF-8 (the driver writes
 * U+FFFD instead, so what a 2xx confirmed would not be what was stored), and validators that
 * encode it as a URI throw. Walked iteratively, in document order: a body may nest deeply.
 */
export function illFormedUnicodeFields(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const pending: { value: unknown; path: string; illFormedKey?: boolean }[] = [
    { value: body, path: '' },
  ];
  for (
    let next = pending.pop();
    next !== undefined && errors.length < MAX_ERRORS;
    next = pending.pop()
  ) {
    const { value, path, illFormedKey } = next;
    if (illFormedKey) {
      errors.push({
        field: path,
        message: 'field names must be well-formed Unicode (this one holds a lone surrogate)',
      });
    }
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) {
        errors.push({
          field: path || '(body)',
          message: `${path || 'the body'} must be well-formed Unicode (it holds a lone surrogate)`,
        });
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const inArray = Array.isArray(value);
    const children = Object.entries(value as Record<string, unknown>).map(([key, child]) => ({
      value: child,
      path: fieldPath(path, printable(key), inArray),
      illFormedKey: !inArray && LONE_SURROGATE.test(key),
    }));
    pending.push(...children.reverse());
  }
  return errors.slice(0, MAX_ERRORS);
}

/** Refuses a body holding ill-formed Unicode with 400, naming each field, before validation. */
export function assertWellFormedUnicode(body: unknown): void {
  const errors = illFormedUnicodeFields(body);
  if (errors.length > 0) {
    throw new RequestValidationException(
      errors,
      'The body holds text that is not well-formed Unicode; see errors.',
    );
  }
}
