import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** After an early answer, at most this much of the rest of a body is read and discarded. */
export const LINGER_MAX_BYTES = 16 * 1024 * 1024;
/** …and for at most this long after the answer was written; then the connection is closed. */
export const LINGER_MAX_MS = 5_000;

function declaresBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (
    (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined
  );
}

/**
 * Lingering close, as nginx does it, for answers sent before the request's body has fully
 * arrived (413 on a declared length, 415, 400…). Node closes a `Connection: close` socket as soon
 * as the answer is written; body bytes still arriving then make the kernel reset the connection,
 * and a client still sending loses the answer it had not read yet. Instead the answer is sent,
 * the write side closed, and the rest of the body read and thrown away until it ends or a bound
 * (LINGER_MAX_BYTES, LINGER_MAX_MS) is reached; only then is the socket destroyed.
 */
export function lingerOnEarlyAnswers(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, _payload, done) => {
    const raw = request.raw;
    if (!raw.complete && declaresBody(raw) && !raw.socket.destroyed) {
      void reply.header('connection', 'close');
      lingerUntilBodyEnds(raw);
    }
    done();
  });
}

function lingerUntilBodyEnds(request: IncomingMessage): void {
  const socket = request.socket;
  let discarded = 0;
  let answered = false;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const close = (): void => {
    done = true;
    // Not before the answer is out: destroy() drops what is still queued for writing.
    if (!answered) return;
    clearTimeout(timer);
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  // Reading starts now, before the answer is written: Node drops the body of a request nobody
  // reads (without counting it), and the bound needs the count.
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_MAX_BYTES) close();
  });
  request.once('end', close);
  request.once('error', close);
  socket.once('close', () => clearTimeout(timer));
  // Node's HTTP server calls destroySoon() once the last answer on a connection is written.
  socket.destroySoon = () => {
    answered = true;
    socket.end();
    if (done) close();
    else timer = setTimeout(close, LINGER_MAX_MS);
  };
}
