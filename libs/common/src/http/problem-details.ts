import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class FieldErrorDto {
  /** Path of the offending field, e.g. `deliveryAddress.city` or `items[0].quantity`. */
  @ApiProperty({ example: 'deliveryAddress.city' })
  field!: string;

  @ApiProperty({ example: 'city should not be empty' })
  message!: string;
}

/** RFC 9457 problem details: the body of every error response. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'urn:aware:problem:validation' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is invalid; see errors.' })
  detail!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}

export type FieldError = FieldErrorDto;
export type ProblemDetails = ProblemDetailsDto & Record<string, unknown>;

/** Problem types any service may answer with; a domain's own types live with that domain. */
export const ProblemType = {
  validation: 'urn:aware:problem:validation',
  malformedJson: 'urn:aware:problem:malformed-json',
  malformedRequest: 'urn:aware:problem:malformed-request',
  requestTimeout: 'urn:aware:problem:request-timeout',
  headersTooLarge: 'urn:aware:problem:headers-too-large',
  uriTooLong: 'urn:aware:problem:uri-too-long',
  notFound: 'urn:aware:problem:not-found',
  conflict: 'urn:aware:problem:conflict',
  preconditionFailed: 'urn:aware:problem:precondition-failed',
  payloadTooLarge: 'urn:aware:problem:payload-too-large',
  unsupportedMediaType: 'urn:aware:problem:unsupported-media-type',
  unavailable: 'urn:aware:problem:unavailable',
  internal: 'urn:aware:problem:internal',
} as const;

export function statusTitle(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) return status >= 500 ? 'Server Error' : 'Client Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** An HTTP error that already knows its problem type; services throw it for domain failures. */
export class ProblemException extends HttpException {
  /** Sent as Retry-After when set: when the same request may succeed. */
  retryAfterSeconds?: number;

  constructor(
    status: number,
    readonly problemType: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }

  toProblem(): ProblemDetails {
    return {
      type: this.problemType,
      title: statusTitle(this.getStatus()),
      status: this.getStatus(),
      detail: this.message,
      ...this.extensions,
    };
  }
}

export class RequestValidationException extends ProblemException {
  constructor(errors: FieldError[], detail = 'The request is invalid; see errors.') {
    super(HttpStatus.BAD_REQUEST, ProblemType.validation, detail, { errors });
  }
}

export class NotFoundProblem extends ProblemException {
  constructor(detail: string) {
    super(HttpStatus.NOT_FOUND, ProblemType.notFound, detail);
  }
}
