import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createServer, STATUS_CODES, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, ProblemType, statusTitle } from '../http/problem-details';
import { requestIdFor } from '../http/request-id';

/** Bodies over 64 KiB are refused with 413. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** The whole request (headers and body) must arrive within this time, else 408. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** The headers must arrive within this time, else 408. */
const HEADERS_TIMEOUT_MS = 5_000;
/** How often Node checks running requests against the two timeouts above. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Node's own HTTP errors, raised before a request reaches the app: same shape as ours. */
const CLIENT_ERRORS: Record<string, { status: number; type: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    type: ProblemType.requestTimeout,
    detail: `The request did not arrive within ${REQUEST_TIMEOUT_MS / 1000} s.`,
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    type: ProblemType.headersTooLarge,
    detail: 'The request line or headers are too large.',
  },
};
const MALFORMED_REQUEST = {
  status: 400,
  type: ProblemType.malformedRequest,
  detail: 'The request is not valid HTTP.',
};

/** Answers a request Node could not parse or time, as problem+json, then closes the socket. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || MALFORMED_REQUEST;
  const body = JSON.stringify({ ...known, title: statusTitle(known.status) });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? ''}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // A long path parameter reaches the route, whose id check answers 404 (an id that could
    // never exist names nothing); the router's own limit would answer 414 outside the app.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2_048 },
    genReqId: requestIdFor,
    requestIdHeader: false,
    return503OnClosing: true,
    logger: false,
    clientErrorHandler: answerClientError,
    // Node's server, with the slow-client limits Fastify does not expose (a client trickling its
    // body would otherwise hold a connection for as long as it likes).
    serverFactory: (handler: RequestListener) =>
      createServer(
        {
          requestTimeout: REQUEST_TIMEOUT_MS,
          headersTimeout: HEADERS_TIMEOUT_MS,
          connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
        },
        handler,
      ),
  });
}
