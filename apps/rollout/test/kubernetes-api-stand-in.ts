import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CHARTS } from '../../../test/support/helm';
import { RecordingStandIn, type RecordedRequest, type StandInReply } from './recording-stand-in';

/** The aware chart's default render (P=100), as committed with the chart. */
const GOLDEN = join(CHARTS, 'golden/aware-defaults.yaml');

interface StandInHttpRoute {
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
export class KubernetesApiStandIn extends RecordingStandIn {
  readonly route: StandInHttpRoute;
  /** When set, the answer to every PATCH instead of applying it. */
  patchReply?: StandInReply;

  constructor(readonly namespace = 'default') {
    super();
    const route = parseAllDocuments(readFileSync(GOLDEN, 'utf8'))
      .map((document) => document.toJS() as StandInHttpRoute | null)
      .find((object) => object?.kind === 'HTTPRoute' && object.metadata.name === 'aware-users');
    if (!route) throw new Error(`no HTTPRoute aware-users in ${GOLDEN}`);
    this.route = { ...route, metadata: { ...route.metadata, namespace, resourceVersion: '1' } };
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

  protected answer(
    { method, path, body }: RecordedRequest,
    headers: IncomingHttpHeaders,
  ): StandInReply {
    if (path !== this.routePath) return status(404, 'NotFound');
    if (method === 'GET') return { status: 200, body: this.route };
    if (method !== 'PATCH') return status(405, 'MethodNotAllowed');
    if (this.patchReply) return this.patchReply;
    if (headers['content-type'] !== 'application/json-patch+json') {
      return status(415, 'UnsupportedMediaType');
    }
    const patched = applyPatch(this.route, JSON.parse(body) as JsonPatchOperation[]);
    if (typeof patched === 'string') return status(422, patched);
    patched.metadata.resourceVersion = String(Number(this.route.metadata.resourceVersion) + 1);
    Object.assign(this.route, patched);
    return { status: 200, body: this.route };
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
