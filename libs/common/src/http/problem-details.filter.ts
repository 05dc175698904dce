import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  ProblemType,
  statusTitle,
  type ProblemDetails,
} from './problem-details';
import { isDatabaseUnavailable } from './database-unavailable';

interface FrameworkError {
  statusCode?: number;
  code?: string;
  name?: string;
  message?: string;
}

const FASTIFY_TYPES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ProblemType.payloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ProblemType.unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ProblemType.malformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: ProblemType.malformedJson,
};

/** Nest raises these for body parsing, size and routing before any handler of ours runs. */
const HTTP_EXCEPTION_TYPES: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: ProblemType.malformedJson,
  [HttpStatus.NOT_FOUND]: ProblemType.notFound,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ProblemType.payloadTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ProblemType.unsupportedMediaType,
};

/** Seconds a client should wait before retrying when a dependency is down. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Turns every error into RFC 9457 problem+json. Client mistakes keep their 4xx; anything
 * unexpected becomes a 500 without internals, logged with the request id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(exception, request);

    const line = `${request.method} ${request.url} [${request.id}] ${problem.detail}`;
    if (problem.status === 503) {
      // A dependency is down: expected during outages, and readiness probes ask often.
      this.logger.warn(line);
    } else if (problem.status >= 500) {
      this.logger.error(line, exception instanceof Error ? exception.stack : String(exception));
    }
    const retryAfter =
      exception instanceof ProblemException && exception.retryAfterSeconds !== undefined
        ? exception.retryAfterSeconds
        : problem.status === 503
          ? RETRY_AFTER_SECONDS
          : undefined;
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  private toProblem(exception: unknown, request: FastifyRequest): ProblemDetails {
    if (exception instanceof ProblemException) return exception.toProblem();
    if (exception instanceof HttpException) return this.fromHttpException(exception);

    const error = (exception ?? {}) as FrameworkError;
    if (isDatabaseUnavailable(exception)) {
      return this.problem(
        HttpStatus.SERVICE_UNAVAILABLE,
        ProblemType.unavailable,
        'The database is unavailable; retry later.',
      );
    }
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return this.fromClientError(status, error);
    }
    return this.problem(
      HttpStatus.INTERNAL_SERVER_ERROR,
      ProblemType.internal,
      `An unexpected error occurred (request ${request.id}).`,
    );
  }

  private fromHttpException(exception: HttpException): ProblemDetails {
    const status = exception.getStatus();
    const body = exception.getResponse();
    let detail = exception.message;
    if (typeof body === 'object' && body !== null && 'message' in body) {
      const message = body.message;
      detail = Array.isArray(message) ? message.join('; ') : String(message);
    }
    return this.problem(status, HTTP_EXCEPTION_TYPES[status] ?? 'about:blank', detail);
  }

  /** Errors raised by Fastify before a handler runs: body parsing, size and media type. */
  private fromClientError(status: number, error: FrameworkError): ProblemDetails {
    const type =
      (error.code && FASTIFY_TYPES[error.code]) ??
      (error.name === 'SyntaxError' || status === 400 ? ProblemType.malformedJson : 'about:blank');
    const detail =
      type === ProblemType.malformedJson && error.name === 'SyntaxError'
        ? `The body is not valid JSON: ${error.message ?? 'parse error'}`
        : (error.message ?? statusTitle(status));
    return this.problem(status, type, detail);
  }

  private problem(status: number, type: string, detail: string): ProblemDetails {
    return { type, title: statusTitle(status), status, detail };
  }
}
