import type { FastifyRequest } from 'fastify';
import {
  ANONYMOUS_SCOPE,
  apiClientScope,
  parseIdempotencyKey,
  requestFingerprint,
  type IdempotentRequest,
} from './idempotent-request';

describe('parseIdempotencyKey', () => {
  it.each([
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['k', 'k'],
    ['!~', '!~'],
    ['k'.repeat(255), 'k'.repeat(255)],
    // The draft standard's structured-field string form.
    ['"8e03978e"', '8e03978e'],
  ])('accepts %p', (value, key) => {
    expect(parseIdempotencyKey(value)).toBe(key);
  });

  it.each([
    ['empty', ''],
    ['a space', 'has space'],
    ['a tab', 'tab\tkey'],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé'],
    ['an empty quoted string', '""'],
    ['a quote inside the quoted form', '"a"b"'],
  ])('refuses %s with a 400 naming the header', (_what, value) => {
    expect(() => parseIdempotencyKey(value)).toThrow(/Idempotency-Key/);
  });

  it('refuses the header sent twice', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(/once/);
  });
});

describe('apiClientScope', () => {
  const scopeOf = (headers: Record<string, string>) =>
    apiClientScope({ headers } as unknown as FastifyRequest);

  it('is the consumer Kong authenticated, by id first', () => {
    expect(scopeOf({ 'x-consumer-id': 'c1', 'x-consumer-username': 'shop' })).toBe(
      'consumer-id:c1',
    );
    expect(scopeOf({ 'x-consumer-username': 'shop' })).toBe('consumer-username:shop');
  });

  it('is one anonymous scope without a consumer', () => {
    expect(scopeOf({})).toBe(ANONYMOUS_SCOPE);
    expect(scopeOf({ 'x-consumer-id': '' })).toBe(ANONYMOUS_SCOPE);
  });
});

describe('requestFingerprint', () => {
  const request = (body: unknown, method = 'POST', path = '/orders'): IdempotentRequest => ({
    key: 'k',
    scope: ANONYMOUS_SCOPE,
    method,
    path,
    body,
  });

  it('ignores key order at every depth', () => {
    expect(requestFingerprint(request({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }))).toBe(
      requestFingerprint(request({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 })),
    );
  });

  it('tells apart bodies, array orders, methods and paths', () => {
    const base = requestFingerprint(request({ items: [1, 2] }));
    expect(requestFingerprint(request({ items: [2, 1] }))).not.toBe(base);
    expect(requestFingerprint(request({ items: [1, 2], extra: null }))).not.toBe(base);
    expect(requestFingerprint(request({ items: [1, 2] }, 'PUT'))).not.toBe(base);
    expect(requestFingerprint(request({ items: [1, 2] }, 'POST', '/users'))).not.toBe(base);
  });
});
