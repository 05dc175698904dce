import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException, ProblemType } from './problem-details';

/** `application/json`, optionally with `charset=utf-8`: the one body format the API speaks. */
const JSON_UTF8 = /^application\/json\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined
  );
}

/**
 * Refuses a body in any other format before it is parsed: a form body must not be applied as
 * if it were JSON, and a UTF-16 body must not be read as UTF-8.
 */
export function assertJsonBody(request: FastifyRequest): void {
  if (!hasBody(request)) return;
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && JSON_UTF8.test(contentType.trim())) return;
  throw new ProblemException(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    ProblemType.unsupportedMediaType,
    `Bodies must be application/json in UTF-8${contentType ? `, not ${contentType}` : ''}.`,
  );
}
