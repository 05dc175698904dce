import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'amqplib';

/** The broker definitions docker compose loads: users, permissions and topology. */
const DEFINITIONS_FILE = resolve(__dirname, '../../docker/rabbitmq/definitions.json');

interface Definitions {
  vhosts: { name: string }[];
  users: { name: string; password: string; tags: string }[];
  permissions: { user: string; vhost: string }[];
  exchanges: { vhost: string }[];
  queues: { vhost: string }[];
  bindings: { vhost: string }[];
  policies: { vhost: string }[];
}

/**
 * The compose definitions moved to a vhost and user names of their own, with random passwords, so
 * a test can load them into the shared broker without touching anything that exists on it.
 */
export class IsolatedDefinitions {
  readonly vhost: string;
  private readonly prefix: string;
  private readonly passwords = new Map<string, string>();
  private readonly definitions: Definitions;

  constructor() {
    const id = randomBytes(4).toString('hex');
    this.vhost = `aware-permtest-${id}`;
    this.prefix = `permtest-${id}-`;
    const original = JSON.parse(readFileSync(DEFINITIONS_FILE, 'utf8')) as Definitions;
    const [vhost] = original.vhosts;
    const moved = <T extends { vhost: string }>(entries: T[]): T[] =>
      entries.map((entry) => ({ ...entry, vhost: this.vhost }));
    this.definitions = {
      ...original,
      vhosts: [{ ...vhost, name: this.vhost }],
      users: original.users.map((user) => {
        const password = randomBytes(12).toString('hex');
        this.passwords.set(user.name, password);
        return { ...user, name: this.prefix + user.name, password };
      }),
      permissions: moved(original.permissions).map((p) => ({ ...p, user: this.prefix + p.user })),
      exchanges: moved(original.exchanges),
      queues: moved(original.queues),
      bindings: moved(original.bindings),
      policies: moved(original.policies),
    };
  }

  get userNames(): string[] {
    return this.definitions.users.map((user) => user.name);
  }

  /** amqp:// URL of one of the definitions' users (by its compose name) on the test vhost. */
  urlFor(user: string, brokerUrl: string): string {
    const password = this.passwords.get(user);
    if (!password) throw new Error(`no user ${user} in ${DEFINITIONS_FILE}`);
    const url = new URL(brokerUrl);
    url.username = this.prefix + user;
    url.password = password;
    url.pathname = `/${encodeURIComponent(this.vhost)}`;
    return url.toString();
  }

  /**
   * Loads the definitions with the broker's own tools: the management API when
   * RABBITMQ_MANAGEMENT_URL is set (CI's rabbitmq:3-management), else rabbitmqctl on this machine.
   */
  async load(brokerUrl: string): Promise<void> {
    const management = process.env.RABBITMQ_MANAGEMENT_URL;
    if (management) {
      await managementRequest(management, 'POST', '/api/definitions', this.definitions);
    } else {
      // Readable by all: Debian's rabbitmqctl runs as the rabbitmq user (and 3.10 reads no stdin).
      // The passwords are throwaway ones of users removed after the test.
      const dir = mkdtempSync(join(tmpdir(), 'aware-definitions-'));
      try {
        chmodSync(dir, 0o755);
        const file = join(dir, 'definitions.json');
        writeFileSync(file, JSON.stringify(this.definitions), { mode: 0o644 });
        await rabbitmqctl(['import_definitions', file]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    await this.waitUntilLoaded(brokerUrl);
  }

  /** Removes exactly what load() created: the test vhost and the test users. */
  async remove(): Promise<void> {
    const management = process.env.RABBITMQ_MANAGEMENT_URL;
    const vhost = encodeURIComponent(this.vhost);
    if (management) {
      await managementRequest(management, 'DELETE', `/api/vhosts/${vhost}`).catch(() => undefined);
      for (const user of this.userNames) {
        await managementRequest(management, 'DELETE', `/api/users/${encodeURIComponent(user)}`);
      }
      return;
    }
    // Whatever a failed load left behind; names that do not exist are skipped by the broker.
    await rabbitmqctl(['delete_vhost', this.vhost]).catch(() => undefined);
    for (const user of this.userNames) {
      await rabbitmqctl(['delete_user', user]).catch(() => undefined);
    }
  }

  /** rabbitmqctl imports asynchronously: wait until the last user can log in to the vhost. */
  private async waitUntilLoaded(brokerUrl: string): Promise<void> {
    const lastUser = this.definitions.users.at(-1)!.name.slice(this.prefix.length);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const connection = await connect(this.urlFor(lastUser, brokerUrl));
        await connection.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
      }
    }
  }
}

function rabbitmqctl(args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('rabbitmqctl', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 30_000,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const fail = (reason: string): void =>
      reject(
        new Error(
          `rabbitmqctl ${args[0]} failed (${reason}). The permission test loads definitions with ` +
            'rabbitmqctl on the broker machine, or through the management API when ' +
            'RABBITMQ_MANAGEMENT_URL (e.g. http://guest:guest@127.0.0.1:15672) is set.',
        ),
      );
    child.on('error', (error) => fail(error.message));
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : fail(stderr.trim() || `exit ${code}`),
    );
  });
}

async function managementRequest(
  baseUrl: string,
  method: 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<void> {
  const url = new URL(path, baseUrl);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const response = await fetch(url, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(
      `${method} ${path} on the management API: HTTP ${response.status} ${await response.text()}`,
    );
  }
}
