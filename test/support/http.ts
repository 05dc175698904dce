import { setTimeout as sleep } from 'node:timers/promises';

export type Json = Record<string, unknown>;

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

interface RequestOptions {
  /** Sent as is when a string (malformed JSON, huge bodies), else JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One HTTP call to a running service (Node 20's fetch); JSON bodies are parsed when possible. */
export async function http<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  const hasBody = options.body !== undefined;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(hasBody && { 'content-type': 'application/json' }), ...options.headers },
    ...(hasBody && {
      body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** Expects `status`, failing with the response body so the cause is visible. */
export function expectStatus<T>(result: HttpResult<T>, status: number, what: string): T {
  if (result.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${result.status}: ${result.text}`);
  }
  return result.body;
}

/**
 * Retries `check` until it returns a value other than undefined; the last error or value is
 * reported on timeout.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'never checked';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${String(last)})`);
    }
    await sleep(intervalMs);
  }
}
