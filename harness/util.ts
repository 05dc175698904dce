import { execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A failure the user can act on: printed as-is, without a stack trace. */
export class InfraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraError';
  }
}

/** Infrastructure messages go to stderr so stdout stays clean for tools (e.g. `jest --json`). */
export function log(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}

/** Infrastructure problems are actionable messages; anything else is a bug, so show its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof InfraError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Hides the password of a URL (`amqp://guest:***@host`) so it never reaches logs. */
export function maskCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

const MONGO_URI_PARTS = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/;

/**
 * The same server with `database` as the path. String-based because multi-host URIs
 * (`mongodb://a:1,b:2/`) are not valid WHATWG URLs.
 */
export function withDatabase(uri: string, database: string): string {
  const match = MONGO_URI_PARTS.exec(uri);
  if (!match) throw new InfraError(`Not a mongodb:// URI: ${maskCredentials(uri)}`);
  return `${match[1]}/${database}${match[2] ?? ''}`;
}

/** The server part only (no database path), which is what the test suites expect in MONGO_URI. */
export function serverUri(uri: string): string {
  const match = MONGO_URI_PARTS.exec(uri);
  return match ? `${match[1]}/${match[2] ?? ''}` : uri;
}

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and collects its output; never rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { ...options, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const detail = error && typeof error.code !== 'number' ? `${error.message}\n` : '';
        resolve({ code, stdout, stderr: detail + stderr });
      },
    );
  });
}

/** Last lines of a command's output, enough to explain a failure without flooding the terminal. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Whether something already listens on host:port (used to refuse ports that are taken). */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the exit code (128 + signal number when killed by a signal, as shells do). */
export function exitCodeOf(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(signalExitCode(child.signalCode));
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? signalExitCode(signal) : 1)));
  });
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};

export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 1);
}

/**
 * Sends SIGTERM (to the whole process group when the child leads one, so grandchildren such as
 * the app under `nest start` stop too), then SIGKILL if it has not exited after `graceMs`.
 */
export async function terminate(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = exitCodeOf(child);
  signalProcess(child, 'SIGTERM');
  const timer = setTimeout(() => signalProcess(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Signals the child's process group if it has one (spawned with `detached`), else the child. */
export function signalProcess(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone: nothing to stop.
    }
  }
}
