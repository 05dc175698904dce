import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY } from '@aware/contracts';
import { RequestValidationException } from '../http/problem-details';

/** The request header that makes a create safe to retry (docs/api.md, "Safe retries"). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on an answer that repeats the first answer to a key instead of doing the work again. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** The scope of keys sent without an API client (no gateway in front, or no credentials). */
export const ANONYMOUS_SCOPE = 'anonymous';

/** A create that carries an Idempotency-Key: who sent it and what it asks for. */
export interface IdempotentRequest {
  key: string;
  /** The API client the key belongs to: keys of different clients never meet. */
  scope: string;
  method: string;
  /** The path without query or trailing slash, so `/users` and `/users/` are one operation. */
  path: string;
  /** The parsed JSON body; fingerprinted only once validation accepted it. */
  body: unknown;
}

function singleHeader(request: FastifyRequest, name: string): string | string[] | undefined {
  return request.headers[name.toLowerCase()];
}

function invalidKey(message: string): RequestValidationException {
  return new RequestValidationException(
    [{ field: IDEMPOTENCY_KEY_HEADER, message }],
    `Invalid ${IDEMPOTENCY_KEY_HEADER} header: ${message}.`,
  );
}

/**
 * The key as sent: a bare token, or the draft standard's structured-field string form (the same
 * characters in double quotes), which is unquoted.
 */
export function parseIdempotencyKey(value: string | string[]): string {
  if (Array.isArray(value)) throw invalidKey('send it once');
  const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
  const key = quoted ? value.slice(1, -1) : value;
  if (!IDEMPOTENCY_KEY.pattern.test(key) || (quoted && /["\\]/.test(key))) {
    throw invalidKey(`it must be ${IDEMPOTENCY_KEY.patternRule}`);
  }
  return key;
}

/**
 * The API client behind a request: the consumer Kong authenticated (it sets X-Consumer-ID and
 * X-Consumer-Username, replacing whatever the client sent), else one anonymous scope.
 */
export function apiClientScope(request: FastifyRequest): string {
  const id = singleHeader(request, 'X-Consumer-ID');
  if (typeof id === 'string' && id !== '') return `consumer-id:${id}`;
  const username = singleHeader(request, 'X-Consumer-Username');
  if (typeof username === 'string' && username !== '') return `consumer-username:${username}`;
  return ANONYMOUS_SCOPE;
}

/** JSON with every object's keys sorted, so two encodings of one body compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(
        (name) =>
          `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two requests "the same request": method, path and body (key order and whitespace
 * aside). Called after validation accepted the body, so its depth is the DTO's.
 */
export function requestFingerprint(request: IdempotentRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.path}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

/** The request's Idempotency-Key with its scope, or undefined when it carries none. */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotentRequest | undefined => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = singleHeader(request, IDEMPOTENCY_KEY_HEADER);
    if (header === undefined) return undefined;
    const path = request.url.split('?')[0].replace(/(.)\/+$/, '$1');
    return {
      key: parseIdempotencyKey(header),
      scope: apiClientScope(request),
      method: request.method,
      path,
      body: request.body,
    };
  },
);

/** What a create answers: the resource, and whether this repeats an earlier answer to its key. */
export interface CreateAnswer<T> {
  resource: T;
  replayed: boolean;
}
