import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../http/problem-details';
import { IDEMPOTENCY_KEY_HEADER } from './idempotent-request';

const IdempotencyProblemType = {
  keyReused: 'urn:aware:problem:idempotency-key-reused',
  inFlight: 'urn:aware:problem:idempotency-key-in-flight',
} as const;

/** The key was first used for another request: a new request needs a new key. */
export class IdempotencyKeyReusedProblem extends ProblemException {
  constructor(key: string) {
    super(
      HttpStatus.UNPROCESSABLE_ENTITY,
      IdempotencyProblemType.keyReused,
      `${IDEMPOTENCY_KEY_HEADER} "${key}" was first used with another request (method, path or ` +
        'body differ); send a new key for a new request.',
      { idempotencyKey: key },
    );
  }
}

/** The first request with the key has not finished yet: retry after Retry-After seconds. */
export class IdempotencyKeyInFlightProblem extends ProblemException {
  constructor(key: string, retryAfterSeconds: number) {
    super(
      HttpStatus.CONFLICT,
      IdempotencyProblemType.inFlight,
      `A request with ${IDEMPOTENCY_KEY_HEADER} "${key}" is still in progress; retry in ` +
        `${retryAfterSeconds} s for its answer.`,
      { idempotencyKey: key },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
