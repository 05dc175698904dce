/**
 * What a hostile or broken client can do at the HTTP level, against the built services as
 * processes on real sockets: other media types, slow clients, malformed requests, shutdown.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LINGER_MAX_BYTES, LINGER_MAX_MS, REQUEST_TIMEOUT_MS } from '@aware/common';
import { deleteTopology, ServiceProcess, throwawayTopologyPrefix } from '@aware/harness';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type Json } from './support/http';
import { requiredEnv, throwawayMongoUri } from './support/infra';

jest.setTimeout(120_000);

interface RawAnswer {
  head: string;
  status: number;
  body: string;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

/**
 * Writes `chunks` to a raw socket, `delayMs` apart, and resolves with what the server answered
 * once it closes the connection (or after `giveUpMs`, so a hung server fails the test).
 */
function rawExchange(
  url: string,
  chunks: string[],
  delayMs = 0,
  giveUpMs = 40_000,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let sending = true;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${giveUpMs} ms; received: ${received}`));
    }, giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sending = false;
      clearTimeout(giveUp);
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ head, status, body, closedAfterMs: Date.now() - started });
    });
    socket.on('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (!sending) return;
          socket.write(chunk);
          if (delayMs > 0) await sleep(delayMs);
        }
      })();
    });
  });
}

interface FloodResult {
  status: number;
  contentType: string;
  /** Body bytes written before the server closed the connection (some may sit in buffers). */
  sentBytes: number;
  /** Milliseconds from connecting until the connection closed. */
  closedAfterMs: number;
}

/**
 * Declares a body of `declaredBytes` and writes it whatever the server answers (a client that
 * keeps sending after the answer and the server's FIN), as fast as the server reads it or one
 * `pace.chunkBytes` per `pace.intervalMs`; resolves once the connection closes.
 */
function flood(
  url: string,
  path: string,
  declaredBytes: number,
  pace?: { chunkBytes: number; intervalMs: number },
  giveUpMs = 60_000,
): Promise<FloodResult> {
  const { hostname, port } = new URL(url);
  const chunk = Buffer.alloc(pace?.chunkBytes ?? 64 * 1024, 0x20);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    let received = '';
    let sentBytes = 0;
    let open = true;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`the server read ${sentBytes} bytes and did not close within ${giveUpMs} ms`),
      );
    }, giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (received += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open = false;
      clearTimeout(giveUp);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
        contentType: /^content-type: *(.*)$/im.exec(received)?.[1] ?? '',
        sentBytes,
        closedAfterMs: Date.now() - started,
      });
    });
    const writeMore = (): void => {
      while (open && sentBytes < declaredBytes) {
        sentBytes += chunk.length;
        const flushed = socket.write(chunk);
        if (pace) {
          setTimeout(writeMore, pace.intervalMs);
          return;
        }
        if (!flushed) {
          socket.once('drain', writeMore);
          return;
        }
      }
      if (open) socket.end();
    };
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${declaredBytes}\r\n\r\n`,
      );
      writeMore();
    });
  });
}

describe('HTTP hardening', () => {
  const prefix = throwawayTopologyPrefix('hardening');
  const usersDb = throwawayMongoUri('hardening_users');
  const ordersDb = throwawayMongoUri('hardening_orders');
  const common = { AMQP_URL: requiredEnv('AMQP_URL'), AMQP_TOPOLOGY_PREFIX: prefix };
  const v1 = new ServiceProcess({ app: 'user-v1', env: { ...common, MONGO_URI: usersDb } });
  const order = new ServiceProcess({ app: 'order', env: { ...common, MONGO_URI: ordersDb } });

  beforeAll(async () => {
    await Promise.all([v1.start(60_000), order.start(60_000)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([v1.kill(), order.kill()]);
    await deleteTopology(prefix);
  });

  const createUser = async (): Promise<Json> => {
    const created = await http<Json>(v1.url, 'POST', '/users', {
      body: { emails: [uniqueEmail('hard')], deliveryAddress: anAddress() },
    });
    expect(created.status).toBe(201);
    return created.body;
  };

  const expectProblem = (status: number, contentType: string | null, body: string): Json => {
    expect(contentType).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(body) as Json;
    expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    return problem;
  };

  describe('JSON only', () => {
    it('refuses a form body with 415 and changes nothing (users and orders)', async () => {
      const user = await createUser();
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const put = await http(v1.url, 'PUT', `/users/${String(user.userId)}`, {
        body: 'emails=form%40example.com',
        headers: form,
      });
      expect(put.status).toBe(415);
      expectProblem(415, put.headers.get('content-type'), put.text);
      const after = await http<Json>(v1.url, 'GET', `/users/${String(user.userId)}`);
      expect(after.body).toEqual(user);

      const created = await http<Json>(order.url, 'POST', '/orders', {
        body: {
          items: [{ itemId: 'i1', quantity: 1, price: 1 }],
          userEmails: [uniqueEmail()],
          deliveryAddress: anAddress(),
        },
      });
      expect(created.status).toBe(201);
      const orderId = String(created.body.orderId);
      const status = await http(order.url, 'PUT', `/orders/${orderId}/status`, {
        body: 'orderStatus=delivered',
        headers: form,
      });
      expect(status.status).toBe(415);
      const stored = await http<Json>(order.url, 'GET', `/orders/${orderId}`);
      expect(stored.body.orderStatus).toBe('under process');
    });

    it.each([
      ['a UTF-16 charset', 'application/json; charset=utf-16'],
      ['a Latin-1 charset', 'application/json; charset=iso-8859-1'],
      ['text/plain', 'text/plain'],
      ['an unknown parameter', 'application/json; profile=x'],
    ])('refuses JSON with %s with 415', async (_what, contentType) => {
      const response = await http(v1.url, 'POST', '/users', {
        body: JSON.stringify({ emails: [uniqueEmail()], deliveryAddress: anAddress() }),
        headers: { 'content-type': contentType },
      });
      expect(response.status).toBe(415);
      expectProblem(415, response.headers.get('content-type'), response.text);
    });

    it('accepts application/json with and without charset=utf-8', async () => {
      for (const contentType of ['application/json', 'application/json; charset=UTF-8']) {
        const response = await http(v1.url, 'POST', '/users', {
          body: JSON.stringify({ emails: [uniqueEmail()], deliveryAddress: anAddress() }),
          headers: { 'content-type': contentType },
        });
        expect(response.status).toBe(201);
      }
    });
  });

  describe('slow and malformed clients', () => {
    it('answers 408 problem+json and closes a connection whose body trickles in', async () => {
      const body = JSON.stringify({ emails: [uniqueEmail()], deliveryAddress: anAddress() });
      const head =
        `POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`;
      const answer = await rawExchange(v1.url, [head, ...body.split('')], 1_000);
      expect(answer.status).toBe(408);
      expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 408 });
    });

    it('answers 408 to headers that never finish', async () => {
      const answer = await rawExchange(
        order.url,
        ['GET /orders HTTP/1.1\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: 1\r\n`)],
        1_000,
      );
      expect(answer.status).toBe(408);
    });

    it('answers malformed HTTP with 400 problem+json', async () => {
      const answer = await rawExchange(v1.url, ['GARBAGE / NOT-HTTP\r\n\r\n']);
      expect(answer.status).toBe(400);
      expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400 });
    });

    it('answers an oversized request line with 431 problem+json', async () => {
      const answer = await rawExchange(v1.url, [
        `GET /users/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]);
      expect(answer.status).toBe(431);
      expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    });

    it('answers a long path id with 404 problem+json, not 414', async () => {
      const response = await http(order.url, 'GET', `/orders/${'o'.repeat(1_000)}`);
      expect(response.status).toBe(404);
      expectProblem(404, response.headers.get('content-type'), response.text);
    });
  });

  describe('oversized bodies', () => {
    const twoMegabytes = 2 * 1024 * 1024;
    const body = 'x'.repeat(twoMegabytes);

    /**
     * POSTs 2 MB with fetch, or from a raw socket that keeps writing while the answer comes; the
     * answer must reach the client as 413 problem+json, never a reset. Says what went wrong.
     */
    const postTooLarge = async (
      url: string,
      path: string,
      client: 'fetch' | 'raw',
    ): Promise<string | undefined> => {
      try {
        const { status, contentType } =
          client === 'raw'
            ? await flood(url, path, twoMegabytes)
            : await http(url, 'POST', path, { body }).then((response) => ({
                status: response.status,
                contentType: response.headers.get('content-type') ?? '',
              }));
        if (status === 413 && contentType.startsWith('application/problem+json')) return undefined;
        return `${client} ${path}: ${status} ${contentType}`;
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        return `${client} ${path}: ${String(error)} (${cause?.code ?? 'no code'})`;
      }
    };

    it('lets every client read the 413 for a 2 MB body: 50 in a row per client, then concurrently', async () => {
      const failures: string[] = [];
      for (const client of ['fetch', 'raw'] as const) {
        for (let attempt = 0; attempt < 50; attempt += 1) {
          const [url, path] = attempt % 2 ? [order.url, '/orders'] : [v1.url, '/users'];
          const failure = await postTooLarge(url, path, client);
          if (failure) failures.push(`attempt ${attempt}: ${failure}`);
        }
      }
      for (let round = 0; round < 3; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            postTooLarge(v1.url, '/users', i % 2 ? 'raw' : 'fetch'),
          ),
        );
        for (const failure of answers) if (failure) failures.push(`round ${round}: ${failure}`);
      }
      expect(failures).toEqual([]);
    });

    it('answers 413 to a body beyond the discard bound and closes without reading it all', async () => {
      const declared = 1024 * 1024 * 1024;
      const answer = await flood(v1.url, '/users', declared);
      expect(answer.status).toBe(413);
      // It read on after answering (so a client sending a smaller body reads the answer), up to
      // the bound; beyond that only what the kernel buffers hold: far below the body.
      expect(answer.sentBytes).toBeGreaterThan(LINGER_MAX_BYTES);
      expect(answer.sentBytes).toBeLessThan(LINGER_MAX_BYTES + 32 * 1024 * 1024);
    });

    it('answers 413 to a body that trickles in, and closes after the discard time', async () => {
      const answer = await flood(v1.url, '/users', 10 * 1024 * 1024, {
        chunkBytes: 1_000,
        intervalMs: 100,
      });
      expect(answer.status).toBe(413);
      // Closed by the discard time, long before the body would end (over 15 minutes) or the
      // request timeout would cut it.
      expect(answer.closedAfterMs).toBeGreaterThanOrEqual(LINGER_MAX_MS);
      expect(answer.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS);
    });
  });

  describe('shutdown under load', () => {
    it('SIGTERM during a stream of creates and a trickling body: in-flight work finishes, exit 0', async () => {
      const results: number[] = [];
      let streaming = true;
      const worker = async (): Promise<void> => {
        while (streaming) {
          try {
            const response = await http(v1.url, 'POST', '/users', {
              body: { emails: [uniqueEmail('term')], deliveryAddress: anAddress() },
            });
            results.push(response.status);
          } catch {
            // Refused once the listener closed: the stream is over.
            return;
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);
      const slowBody = rawExchange(
        v1.url,
        [
          'POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
            'Content-Length: 500\r\n\r\n{',
          ...Array.from({ length: 60 }, () => ' '),
        ],
        500,
      );
      await sleep(1_500);
      await v1.stop(30_000);
      streaming = false;
      await Promise.all(workers);
      expect(v1.exitCode).toBe(0);
      // The trickling client was cut at once: no answer, and long before its body could finish.
      expect((await slowBody).status).toBe(0);
      // Accepted creates completed; late ones were told to retry (503) or refused.
      expect(results.filter((status) => status !== 201 && status !== 503)).toEqual([]);
      expect(results.filter((status) => status === 201).length).toBeGreaterThan(0);
    });
  });
});
