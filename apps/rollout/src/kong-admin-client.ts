/** Failures of the Admin API, told apart so the rollout exits with a code a pipeline can act on. */
export class AdminApiUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminApiUnreachableError';
  }
}

export class AdminApiRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AdminApiRefusedError';
  }
}

/** Current weights of the user-service upstream, read back from Kong. */
interface UserSplit {
  readonly v1Weight: number;
  readonly v2Weight: number;
}

interface TargetList {
  data?: { target?: unknown; weight?: unknown }[];
}

/** The few Admin API calls the rollout needs (Kong in DB-less mode). */
export class KongAdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly userV1Target: string,
    private readonly userV2Target: string,
  ) {}

  /** Replaces the whole declarative config; Kong applies it without a restart. */
  async loadConfig(declarativeConfig: string): Promise<void> {
    const response = await this.request('POST', '/config?flatten_errors=1', {
      config: declarativeConfig,
    });
    if (response.status !== 201) {
      throw new AdminApiRefusedError(
        `Kong refused the config (HTTP ${response.status}): ${describeRefusal(response.body)}`,
        response.status,
      );
    }
  }

  async userSplit(): Promise<UserSplit> {
    const response = await this.request('GET', '/upstreams/user-service/targets');
    if (response.status !== 200) {
      throw new AdminApiRefusedError(
        `Kong could not list the user-service targets (HTTP ${response.status}): ${describeRefusal(response.body)}`,
        response.status,
      );
    }
    const targets = (response.body as TargetList | undefined)?.data ?? [];
    const weightOf = (target: string): number => {
      const found = targets.find((entry) => entry.target === target);
      if (typeof found?.weight !== 'number') {
        throw new AdminApiRefusedError(
          `Kong's user-service upstream has no target ${target}; is the gateway's config this project's?`,
          response.status,
        );
      }
      return found.weight;
    };
    return { v1Weight: weightOf(this.userV1Target), v2Weight: weightOf(this.userV2Target) };
  }

  /** The current P, from the weights (they are P and 100 - P when this project rendered them). */
  async currentPercent(): Promise<number> {
    const { v1Weight, v2Weight } = await this.userSplit();
    const total = v1Weight + v2Weight;
    return total === 0 ? 0 : Math.round((v1Weight * 100) / total);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AdminApiUnreachableError(
        `Kong Admin API at ${this.baseUrl} ${describeNetworkError(error, this.timeoutMs)} (${method} ${url.pathname})`,
      );
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page, say): keep the text for the message.
    }
    return { status: response.status, body: parsed };
  }
}

/** fetch's failures come from Node's own realm, so they are read by shape, not instanceof. */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const { name, message, cause } = (error ?? {}) as ErrorLike;
  if (name === 'TimeoutError') return `did not answer within ${timeoutMs} ms`;
  // "fetch failed" says nothing; the cause names it (ECONNREFUSED, ENOTFOUND, ...).
  const reason = (cause as ErrorLike | undefined)?.message ?? message;
  return `is unreachable: ${typeof reason === 'string' ? reason : String(error)}`;
}

/** Kong's 400 body: a message plus, with flatten_errors, one entry per invalid entity. */
function describeRefusal(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 500) || 'no details';
  if (typeof body !== 'object' || body === null) return 'no details';
  const { message, flattened_errors: flattened } = body as {
    message?: unknown;
    flattened_errors?: unknown;
  };
  const details = Array.isArray(flattened)
    ? flattened.map((entry) => JSON.stringify(entry)).slice(0, 10)
    : [];
  return [typeof message === 'string' ? message : JSON.stringify(body), ...details].join('; ');
}
