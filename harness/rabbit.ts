import { createRequire } from 'node:module';
import { errorMessage, InfraError, maskCredentials } from './util';

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** The slice of amqplib's promise API used here (amqplib ships no types, @types/amqplib is absent). */
interface AmqpConnection {
  close(): Promise<void>;
}
interface AmqpLib {
  connect(url: string, socketOptions?: { timeout?: number }): Promise<AmqpConnection>;
}

// amqplib comes with @golevelup/nestjs-rabbitmq; required untyped, hence the interface above.
const amqplib = createRequire(__filename)('amqplib') as AmqpLib;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Undefined when a full AMQP handshake (including login) succeeds, else the reason. */
export async function probeRabbit(url: string, timeoutMs = 3_000): Promise<string | undefined> {
  try {
    const connection = await withTimeout(
      amqplib.connect(url, { timeout: timeoutMs }),
      timeoutMs + 500,
      'connect',
    );
    await connection.close();
    return undefined;
  } catch (error) {
    return errorMessage(error) || 'connection failed';
  }
}

export function rabbitHelp(url: string, reason: string): string {
  if (/ACCESS.REFUSED/.test(reason)) {
    return `RabbitMQ at ${maskCredentials(url)} refused the login (${reason}). Check the user and password in AMQP_URL.`;
  }
  return [
    `RabbitMQ not reachable at ${maskCredentials(url)} (${reason}).`,
    'Start one, or point AMQP_URL at one:',
    '  laptop with Docker:  docker compose up -d rabbitmq',
    '  Debian/Ubuntu:       apt-get install -y rabbitmq-server && rabbitmq-server -detached',
  ].join('\n');
}

/** Fails fast, with how to get RabbitMQ, when AMQP_URL does not answer. Returns the URL. */
export async function ensureRabbit(
  url = process.env.AMQP_URL || DEFAULT_AMQP_URL,
): Promise<string> {
  const reason = await probeRabbit(url);
  if (reason !== undefined) throw new InfraError(rabbitHelp(url, reason));
  return url;
}
