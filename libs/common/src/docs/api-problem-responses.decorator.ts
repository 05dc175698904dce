import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import {
  FieldErrorDto,
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsDto,
  statusTitle,
} from '../http/problem-details';

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]:
    'Invalid request: unknown or malformed fields, malformed JSON (problem+json with `errors`).',
  [HttpStatus.NOT_FOUND]: 'No such resource.',
  [HttpStatus.CONFLICT]: 'The request conflicts with the current state.',
  [HttpStatus.PRECONDITION_FAILED]: 'If-Match does not match the current version.',
  [HttpStatus.UNPROCESSABLE_ENTITY]:
    'The Idempotency-Key was first used with another request (method, path or body differ).',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The body is larger than 64 KiB.',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'The body is not application/json.',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'A dependency is unavailable.',
};

/** Documents problem+json error responses for the given statuses. */
export function ApiProblemResponses(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto, FieldErrorDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? statusTitle(status),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemDetailsDto) },
          },
        },
      }),
    ),
  );
}
