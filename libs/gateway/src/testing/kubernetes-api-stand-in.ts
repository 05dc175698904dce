import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RecordedRequest, StandInReply } from './gateway-stand-in';

/** The aware chart's default render (P=100), as committed with the chart. */
const GOLDEN = join(__dirname, '../../../../deploy/helm/golden/aware-defaults.yaml');

export interface StandInHttpRoute {
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion: string };
  spec: { rules: { backendRefs?: { name: string; weight?: number }[] }[] };
}

interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/**
 * A local stand-in for the Kubernetes API server, holding the users HTTPRoute the aware chart
 * renders: GET reads it, PATCH applies a JSON Patch (test, replace, add) as the API server does,
 * refusing the whole patch with 422 when a test fails, and bumps resourceVersion.
 */
export class KubernetesApiStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly route: StandInHttpRoute;
  /** When set, the answer to every PATCH instead of applying it. */
  patchReply?: StandInReply;
  private server?: Server;
  private readonly hanging: ServerResponse[] = [];

  constructor(readonly namespace = 'default') {
    const route = parseAllDocuments(readFileSync(GOLDEN, 'utf8'))
      .map((document) => document.toJS() as StandInHttpRoute | null)
      .find((object) => object?.kind === 'HTTPRoute' && object.metadata.name === 'aware-users');
    if (!route) throw new Error(`no HTTPRoute aware-users in ${GOLDEN}`);
    this.route = { ...route, metadata: { ...route.metadata, namespace, resourceVersion: '1' } };
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get routePath(): string {
    return `/apis/gateway.networking.k8s.io/v1/namespaces/${this.namespace}/httproutes/${this.route.metadata.name}`;
  }

  /** The weights of every rule's backendRefs, rule by rule. */
  get weights(): (number | undefined)[][] {
    return this.route.spec.rules.map((rule) => (rule.backendRefs ?? []).map((ref) => ref.weight));
  }

  get patches(): JsonPatchOperation[][] {
    return this.requests
      .filter((request) => request.method === 'PATCH')
      .map((request) => JSON.parse(request.body) as JsonPatchOperation[]);
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = request.url ?? '/';
    this.requests.push({ method: request.method ?? '', path, body });
    if (path !== this.routePath) return this.reply(response, status(404, 'NotFound'));
    if (request.method === 'GET') return this.reply(response, { status: 200, body: this.route });
    if (request.method !== 'PATCH') return this.reply(response, status(405, 'MethodNotAllowed'));
    if (this.patchReply) return this.reply(response, this.patchReply);
    if (request.headers['content-type'] !== 'application/json-patch+json') {
      return this.reply(response, status(415, 'UnsupportedMediaType'));
    }
    const patched = applyPatch(this.route, JSON.parse(body) as JsonPatchOperation[]);
    if (typeof patched === 'string') return this.reply(response, status(422, patched));
    patched.metadata.resourceVersion = String(Number(this.route.metadata.resourceVersion) + 1);
    Object.assign(this.route, patched);
    this.reply(response, { status: 200, body: this.route });
  }

  private reply(response: ServerResponse, reply: StandInReply): void {
    if (reply.hang) {
      this.hanging.push(response);
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }
}

function status(code: number, message: string): StandInReply {
  return { status: code, body: { kind: 'Status', status: 'Failure', message, code } };
}

/** RFC 6902 test/replace/add on a copy; a failed test or a bad path answers why. */
function applyPatch(
  target: StandInHttpRoute,
  operations: JsonPatchOperation[],
): StandInHttpRoute | string {
  const copy = structuredClone(target);
  for (const { op, path, value } of operations) {
    const keys = path.split('/').slice(1);
    const last = keys.pop()!;
    let parent: Record<string, unknown> = copy as unknown as Record<string, unknown>;
    for (const key of keys) {
      const next = parent?.[key];
      if (typeof next !== 'object' || next === null) return `path ${path} does not exist`;
      parent = next as Record<string, unknown>;
    }
    if (op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(value)) {
        return `the server rejected our request: test operation failed at ${path}`;
      }
    } else if (op === 'replace' || op === 'add') {
      if (op === 'replace' && !(last in parent)) return `path ${path} does not exist`;
      parent[last] = value;
    } else {
      return `unsupported operation ${op}`;
    }
  }
  return copy;
}
