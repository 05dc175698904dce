import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPOSITORY_ROOT } from './repository';
import { freePort } from './util';

export type AppName = 'user-v1' | 'user-v2' | 'order';

/** Lines of output kept per process (the newest); enough for a failing test's story. */
const MAX_LINES = 3_000;
/** Configuration the child must not inherit from the test runner's environment. */
const SERVICE_VARIABLES = [
  'PORT',
  'MONGO_URI',
  'AMQP_URL',
  'AMQP_TOPOLOGY_PREFIX',
  'AMQP_DECLARE_TOPOLOGY',
  'AMQP_DELIVERY_LIMIT',
  'AMQP_PREFETCH',
  'OUTBOX_SWEEP_INTERVAL_MS',
  'PUBLISH_TIMEOUT_MS',
  'ORDER_SYNC_STATUSES',
  'ORDER_ROLE',
  'SHUTDOWN_TIMEOUT_MS',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'IDEMPOTENCY_KEY_TTL_HOURS',
];

function bundlePath(app: AppName): string {
  return join(REPOSITORY_ROOT, 'dist', 'apps', app, 'main.js');
}

/** The newest modification time of the non-test TypeScript sources under `dir`. */
export function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

const checkedBundles = new Set<AppName>();

/** Fails clearly when the bundle is missing; warns once when sources are newer than it. */
export function assertBundle(app: AppName): string {
  const path = bundlePath(app);
  if (!existsSync(path)) {
    throw new Error(
      `${path} does not exist. Cross-service tests run the built bundles: ` +
        '`npx nest build user-v1 && npx nest build user-v2 && npx nest build order` first.',
    );
  }
  if (!checkedBundles.has(app)) {
    checkedBundles.add(app);
    const sources = Math.max(
      newestSourceMtime(join(REPOSITORY_ROOT, 'apps', app, 'src')),
      newestSourceMtime(join(REPOSITORY_ROOT, 'libs')),
    );
    if (sources > statSync(path).mtimeMs) {
      process.stderr.write(
        `warning: ${path} is older than its sources; rebuild with \`npx nest build ${app}\`\n`,
      );
    }
  }
  return path;
}

/** Preloaded into each child: it dies when the test (or bench) process does (see the file). */
export const LIFELINE = join(__dirname, 'lifeline.js');

interface ServiceProcessOptions {
  app: AppName;
  /** The service's environment (MONGO_URI, AMQP_URL, AMQP_TOPOLOGY_PREFIX, …); PORT is added. */
  env: Record<string, string>;
  /** A display name for logs (defaults to the app). */
  name?: string;
  /** Options for node itself, e.g. the bench's `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** Lines of output kept (the newest); the bench keeps a whole run's. */
  keepLines?: number;
}

/**
 * One built service (dist/apps/<app>/main.js) run as a child process: start, stop (SIGTERM),
 * kill (SIGKILL), restart on the same port. Its stdout/stderr are kept for failure reports.
 */
export class ServiceProcess {
  readonly name: string;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private readonly lines: string[] = [];
  private port?: number;
  /** Exits the test did not ask for (a crash), with their code or signal. */
  readonly unexpectedExits: string[] = [];
  private expectingExit = false;

  constructor(private readonly options: ServiceProcessOptions) {
    this.name = options.name ?? options.app;
  }

  get url(): string {
    if (this.port === undefined) throw new Error(`${this.name} was never started`);
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code of the last run; null while running or when it was ended by a signal. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the process (on its previous port after a stop) and waits until it is ready. */
  async start(readyTimeoutMs = 30_000): Promise<void> {
    await this.launch();
    await this.waitReady(readyTimeoutMs);
  }

  /** Starts the process (on its previous port after a stop) without waiting for anything. */
  async launch(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const bundle = assertBundle(this.options.app);
    this.port ??= await freePort();
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !SERVICE_VARIABLES.includes(key)),
    );
    this.note(`starting on port ${this.port}`);
    const nodeArgs = this.options.nodeArgs ?? [];
    const child = spawn(process.execPath, [...nodeArgs, '--require', LIFELINE, bundle], {
      // Not the repository root: a developer's .env there must not configure the tests' services.
      cwd: dirname(bundle),
      env: { ...inherited, LOG_LEVEL: 'warn', ...this.options.env, PORT: String(this.port) },
      // stdin is the lifeline: the child kills itself when this end closes.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.expectingExit = false;
    this.capture(child.stdout, 'out');
    this.capture(child.stderr, 'err');
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        const how = signal ?? `code ${String(code)}`;
        this.note(`exited (${how})`);
        if (!this.expectingExit) this.unexpectedExits.push(how);
        done();
      });
    });
  }

  /** Sends a signal (SIGSTOP/SIGCONT to freeze and thaw it, as a stalled machine would). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) throw new Error(`${this.name} is not running`);
    this.note(signal);
    this.child?.kill(signal);
  }

  /**
   * Waits up to `timeoutMs` for an exit the process decides itself (not a crash); true when it
   * exited in time.
   */
  async exitsWithin(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    this.expectingExit = true;
    return Promise.race([this.exited?.then(() => true), sleep(timeoutMs).then(() => false)]).then(
      (exited) => exited ?? false,
    );
  }

  /**
   * Polls GET /health/ready until 200 with the broker reported up (readiness does not wait for
   * the broker, but a test's stack starts with it up and expects events to flow); fails early if
   * the process dies.
   */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.name} exited before it was ready:\n${this.output()}`);
      }
      try {
        const response = await fetch(`${this.url}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        });
        const body = await response.text();
        last = `${response.status} ${body}`;
        if (response.status === 200 && !body.includes('"rabbitmq":{"status":"down"}')) return;
      } catch (error) {
        last = String(error);
      }
      await sleep(100);
    }
    throw new Error(
      `${this.name} not ready after ${timeoutMs} ms (last: ${last}):\n${this.output()}`,
    );
  }

  /** Graceful stop (SIGTERM); SIGKILL if it takes longer than `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.child?.kill('SIGTERM');
    const stopped = await Promise.race([
      this.exited?.then(() => true),
      sleep(timeoutMs).then(() => false),
    ]);
    if (!stopped) await this.kill();
  }

  /** SIGKILL: no shutdown hooks, no acks, no relay flush — a crash. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(readyTimeoutMs?: number): Promise<void> {
    await this.stop();
    await this.start(readyTimeoutMs);
  }

  /** The captured output, newest last. */
  output(): string {
    return this.lines.join('\n');
  }

  printOutput(reason = 'output'): void {
    process.stdout.write(`\n----- ${this.name} ${reason} -----\n${this.output()}\n-----\n`);
  }

  private capture(stream: NodeJS.ReadableStream | null, kind: 'out' | 'err'): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.push(`[${this.name} ${kind}] ${line}`);
    });
    stream.on('end', () => {
      if (partial) this.push(`[${this.name} ${kind}] ${partial}`);
    });
  }

  private note(message: string): void {
    this.push(`[${this.name} test] ${new Date().toISOString()} ${message}`);
  }

  private push(line: string): void {
    this.lines.push(line);
    const keep = this.options.keepLines ?? MAX_LINES;
    if (this.lines.length > keep) this.lines.splice(0, this.lines.length - keep);
  }
}

/**
 * Wraps a test body so that, when it fails, the given services' captured output is printed
 * before the failure is reported.
 */
export function withOutputOf(
  services: readonly ServiceProcess[] | (() => readonly ServiceProcess[]),
  body: () => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      for (const service of typeof services === 'function' ? services() : services) {
        service.printOutput('output (test failed)');
      }
      throw error;
    }
  };
}
