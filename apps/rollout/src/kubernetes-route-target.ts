import {
  AdminApiRefusedError,
  AdminApiUnreachableError,
  describeNetworkError,
} from './kong-admin-client';
import type { GatewayAdmin } from './rollout';
import type { RolloutTarget } from './rollout-target';

interface KubernetesRouteOptions {
  /** The API server, e.g. `kubectl proxy`'s http://127.0.0.1:8001, which adds the credentials. */
  readonly apiUrl: string;
  readonly namespace: string;
  /** The users HTTPRoute of the aware chart (`<release>-users`). */
  readonly route: string;
  readonly userV1Service: string;
  readonly userV2Service: string;
  readonly timeoutMs: number;
  /** A bearer token, when the API server is reached without kubectl proxy. */
  readonly token?: string;
}

interface BackendRef {
  name: string;
  weight?: number;
}
interface HttpRoute {
  metadata: { resourceVersion?: string };
  spec: { rules?: { backendRefs?: BackendRef[] }[] };
}

/** The split a rollout step asks for: the weights of the two user Services. */
interface DesiredSplit {
  route: string;
  weights: Record<string, number>;
}

/**
 * Moves the split of the aware chart's users HTTPRoute: the rule whose backendRefs are exactly the
 * two user Services gets weights P and 100 - P through a JSON Patch that first tests the route's
 * resourceVersion, so a route changed since it was read is refused, never overwritten. The
 * pinning rules (one Service each) are left alone.
 */
class KubernetesRouteClient implements GatewayAdmin {
  constructor(private readonly options: KubernetesRouteOptions) {}

  render(percentToV1: number): Promise<string> {
    const desired: DesiredSplit = {
      route: `${this.options.namespace}/${this.options.route}`,
      weights: {
        [this.options.userV1Service]: percentToV1,
        [this.options.userV2Service]: 100 - percentToV1,
      },
    };
    return Promise.resolve(`${JSON.stringify(desired, null, 2)}\n`);
  }

  /** Applies a split rendered by render(). */
  async loadConfig(rendered: string): Promise<void> {
    const { weights } = JSON.parse(rendered) as DesiredSplit;
    const route = await this.read();
    const { index, refs } = this.splitRule(route);
    const patch: unknown[] = [
      { op: 'test', path: '/metadata/resourceVersion', value: route.metadata.resourceVersion },
      ...refs.map((ref, position) => ({
        op: ref.weight === undefined ? 'add' : 'replace',
        path: `/spec/rules/${index}/backendRefs/${position}/weight`,
        value: weights[ref.name],
      })),
    ];
    const response = await this.request('PATCH', patch);
    if (response.status !== 200) {
      throw new AdminApiRefusedError(
        `the API server refused the patch of HTTPRoute ${this.describeRoute()} (HTTP ${response.status}): ${describeStatus(response.body)}`,
        response.status,
      );
    }
  }

  async currentPercent(): Promise<number> {
    const { refs } = this.splitRule(await this.read());
    // A backendRef without a weight weighs 1 (Gateway API).
    const weightOf = (name: string): number => refs.find((ref) => ref.name === name)?.weight ?? 1;
    const v1 = weightOf(this.options.userV1Service);
    const total = v1 + weightOf(this.options.userV2Service);
    return total === 0 ? 0 : Math.round((v1 * 100) / total);
  }

  private async read(): Promise<HttpRoute> {
    const response = await this.request('GET');
    if (response.status !== 200) {
      throw new AdminApiRefusedError(
        `the API server could not read HTTPRoute ${this.describeRoute()} (HTTP ${response.status}): ${describeStatus(response.body)}`,
        response.status,
      );
    }
    return response.body as HttpRoute;
  }

  private splitRule(route: HttpRoute): { index: number; refs: BackendRef[] } {
    const services = [this.options.userV1Service, this.options.userV2Service].sort();
    const index = (route.spec.rules ?? []).findIndex(
      (rule) =>
        (rule.backendRefs ?? [])
          .map((ref) => ref.name)
          .sort()
          .join() === services.join(),
    );
    if (index < 0) {
      throw new AdminApiRefusedError(
        `HTTPRoute ${this.describeRoute()} has no rule splitting ${services.join(' and ')}; is it the aware chart's?`,
        200,
      );
    }
    return { index, refs: route.spec.rules![index].backendRefs! };
  }

  private describeRoute(): string {
    return `${this.options.namespace}/${this.options.route}`;
  }

  private async request(
    method: 'GET' | 'PATCH',
    patch?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const { apiUrl, namespace, route, token, timeoutMs } = this.options;
    const url = new URL(
      `/apis/gateway.networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/httproutes/${encodeURIComponent(route)}`,
      apiUrl,
    );
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(patch !== undefined && { 'content-type': 'application/json-patch+json' }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: patch === undefined ? undefined : JSON.stringify(patch),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AdminApiUnreachableError(
        `Kubernetes API at ${apiUrl} ${describeNetworkError(error, timeoutMs)} (${method} ${url.pathname})`,
      );
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the message.
    }
    return { status: response.status, body };
  }
}

/** The API server's Status object says why; anything else is shown as it came. */
function describeStatus(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  return typeof body === 'string' ? body.slice(0, 500) || 'no details' : JSON.stringify(body);
}

/** Kubernetes: the weights of the aware chart's users HTTPRoute, through the API server. */
/**
 * No gateway-status gate here: Kong Ingress Controller names its upstreams and targets after
 * Services and pod addresses, not as kong/kong.yaml.tmpl does, so a step is judged by user-v2's
 * own metrics alone.
 */
export function kubernetesRouteTarget(options: KubernetesRouteOptions): RolloutTarget {
  const client = new KubernetesRouteClient(options);
  return {
    admin: client,
    render: (percentToV1) => client.render(percentToV1),
    userV2Target: options.userV2Service,
  };
}
