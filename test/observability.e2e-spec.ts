/**
 * One structured line per request and per consumed event, joined by the request id: the
 * X-Request-ID of a user change appears in the order service's line for its event.
 */
import { randomUUID } from 'node:crypto';
import { createOrderForKnownUser, createUser } from './support/aware-client';
import { anAddress } from './support/fixtures';
import { eventually, http } from './support/http';
import { ServiceStack, withServiceOutput } from './support/service-stack';
import type { ServiceProcess } from '@aware/harness';

jest.setTimeout(120_000);

type Line = Record<string, unknown>;

/** The JSON log lines a service printed, with their message object. */
function jsonLines(service: ServiceProcess): { context?: unknown; message: Line }[] {
  return service
    .output()
    .split('\n')
    .map((line) => line.slice(line.indexOf('{')))
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as { context?: unknown; message?: unknown };
        return typeof parsed.message === 'object' && parsed.message !== null
          ? [{ context: parsed.context, message: parsed.message as Line }]
          : [];
      } catch {
        return [];
      }
    });
}

describe('structured logs (request and event lines)', () => {
  let stack: ServiceStack | undefined;

  beforeAll(async () => {
    stack = await ServiceStack.create({
      suite: 'logs',
      env: { LOG_FORMAT: 'json', LOG_LEVEL: 'log' },
    });
    await stack.start();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it(
    'follows one user change from the PUT to the order service by its request id',
    withServiceOutput(
      () => stack,
      async () => {
        if (!stack) throw new Error('no stack');
        const { v1, order } = stack;
        const user = await createUser(v1.url, 'logs');
        await createOrderForKnownUser(order.url, user.userId);
        const requestId = `trace-${randomUUID()}`;
        const put = await http(v1.url, 'PUT', `/users/${user.userId}`, {
          body: { deliveryAddress: anAddress({ city: 'Traceville' }) },
          headers: { 'x-request-id': requestId },
        });
        expect(put.status).toBe(200);

        const requestLine = await eventually('the PUT request line', () =>
          Promise.resolve(jsonLines(v1).find(({ message }) => message.requestId === requestId)),
        );
        expect(requestLine.message).toMatchObject({
          msg: 'request',
          method: 'PUT',
          route: '/users/:userId',
          status: 200,
          durationMs: expect.any(Number),
        });

        const eventLine = await eventually(
          'the order service line for the event',
          () =>
            Promise.resolve(
              jsonLines(order).find(
                ({ message }) => message.correlationId === requestId && message.ordersChanged === 1,
              ),
            ),
          20_000,
        );
        expect(eventLine.message).toMatchObject({
          msg: 'event applied',
          type: 'user.updated',
          userId: user.userId,
          version: 2,
          outcome: 'applied',
          lagMs: expect.any(Number),
        });
      },
    ),
  );

  // Kong passes a client's X-Request-ID through and adds a uuid only when none was sent, without
  // echoing it (docs/gateway.md): the service decides, and its answer names what its log used.
  it(
    'answers with the request id its log line used: a uuid kept, an unsafe id replaced',
    withServiceOutput(
      () => stack,
      async () => {
        if (!stack) throw new Error('no stack');
        const { v2 } = stack;
        const uuid = randomUUID();
        const seen: Record<string, string | null> = {};
        for (const sent of [uuid, 'bad id<script>', 'x'.repeat(129)]) {
          const answer = await http(v2.url, 'GET', `/users/${randomUUID()}`, {
            headers: { 'x-request-id': sent },
          });
          const answered = answer.headers.get('x-request-id');
          const line = await eventually('the request line', () =>
            Promise.resolve(
              jsonLines(v2).find(
                ({ message }) => message.msg === 'request' && message.requestId === answered,
              ),
            ),
          );
          expect(line.message).toMatchObject({ route: '/users/:userId', status: answer.status });
          seen[sent.slice(0, 20)] = answered;
        }
        const minted = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
        expect(seen).toEqual({
          [uuid.slice(0, 20)]: uuid,
          'bad id<script>': minted,
          ['x'.repeat(20)]: minted,
        });
      },
    ),
  );
});
