import { FastifyAdapter } from '@nestjs/platform-fastify';
import { requestIdFor } from '../http/request-id';

/** SPEC §4: bodies over 64 KiB are refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: requestIdFor,
    requestIdHeader: false,
    return503OnClosing: true,
    logger: false,
  });
}
