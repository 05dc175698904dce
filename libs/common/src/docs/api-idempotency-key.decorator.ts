import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsDto } from '../http/problem-details';
import { IDEMPOTENCY_KEY } from '@aware/contracts';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
} from '../idempotency/idempotent-request';
import { ApiProblemResponses } from './api-problem-responses.decorator';

/** The header a create's 201 carries when it repeats the first answer to a key. */
export const IDEMPOTENT_REPLAYED_RESPONSE_HEADER = {
  [IDEMPOTENT_REPLAYED_HEADER]: {
    description: `\`true\` when this repeats the first answer to the request's ${IDEMPOTENCY_KEY_HEADER}: nothing was written again.`,
    schema: { type: 'string', enum: ['true'] },
  },
};

/**
 * Documents a create that takes an Idempotency-Key (docs/api.md, "Safe retries"): the header,
 * the 409 of a key still in flight (with `otherConflicts`, the operation's own 409s) and the 422
 * of a key reused for another request. The 201 documents IDEMPOTENT_REPLAYED_RESPONSE_HEADER.
 */
export function ApiIdempotencyKey(otherConflicts?: string): MethodDecorator {
  const inFlight =
    `A request with the same ${IDEMPOTENCY_KEY_HEADER} is still in progress; retry after ` +
    'Retry-After seconds.';
  return applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes the create safe to retry: a retry with the same key and body answers what the ' +
        'first request answered (`Idempotent-Replayed: true`) and creates nothing. ' +
        `${IDEMPOTENCY_KEY.patternRule}, e.g. a UUID; scoped to the ` +
        'API client; kept 24 h by default.',
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: IDEMPOTENCY_KEY.maxLength,
        pattern: IDEMPOTENCY_KEY.pattern.source,
      },
    }),
    ApiResponse({
      status: HttpStatus.CONFLICT,
      description: otherConflicts ? `${otherConflicts}; or: ${inFlight}` : inFlight,
      headers: {
        'Retry-After': {
          description: `Seconds to wait, when the conflict is an ${IDEMPOTENCY_KEY_HEADER} in flight.`,
          schema: { type: 'integer' },
        },
      },
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
    }),
    ApiProblemResponses(HttpStatus.UNPROCESSABLE_ENTITY),
  );
}
