/**
 * Checks of the rendered Helm charts (deploy/helm), each answering the problems it finds, so a
 * test can show both that the chart passes and that a broken variant of it does not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { K8sObject } from './helm';
import { REPO } from './helm';
import { publicOperations, UNROUTED_REQUESTS } from './public-api';

type Labels = Record<string, string>;

interface HeaderMatch {
  type?: string;
  name: string;
  value: string;
}
interface RouteMatch {
  path?: { type?: string; value?: string };
  method?: string;
  headers?: HeaderMatch[];
}
interface BackendRef {
  name: string;
  port?: number;
  weight?: number;
}
interface RouteRule {
  matches?: RouteMatch[];
  backendRefs?: BackendRef[];
  filters?: { type: string; urlRewrite?: { path?: { replacePrefixMatch?: string } } }[];
}

interface RoutedRequest {
  route: string;
  rule: RouteRule;
  backends: BackendRef[];
}

const spec = <T>(object: K8sObject): T => object.spec as T;
export const ofKind = (objects: K8sObject[], kind: string): K8sObject[] =>
  objects.filter((object) => object.kind === kind);

function rulesOf(objects: K8sObject[]): { route: string; rule: RouteRule }[] {
  return ofKind(objects, 'HTTPRoute').flatMap((route) =>
    (spec<{ rules?: RouteRule[] }>(route).rules ?? []).map((rule) => ({
      route: route.metadata.name,
      rule,
    })),
  );
}

/** Gateway API path matching as Kong applies it: regexes are anchored at the start only. */
function pathMatches(match: RouteMatch, path: string): boolean {
  const value = match.path?.value ?? '/';
  switch (match.path?.type ?? 'PathPrefix') {
    case 'Exact':
      return path === value;
    case 'RegularExpression':
      return new RegExp(`^(?:${value})`).test(path);
    default: {
      const prefix = value.endsWith('/') ? value : `${value}/`;
      return path === value || path.startsWith(prefix);
    }
  }
}

function requestMatches(
  match: RouteMatch,
  method: string,
  path: string,
  headers: Record<string, string>,
): boolean {
  if (match.method && match.method !== method) return false;
  if (!pathMatches(match, path)) return false;
  return (match.headers ?? []).every((header) => headers[header.name] === header.value);
}

/**
 * The rule a request reaches, or undefined. Among matching rules the one matching on more
 * headers wins, as in the Gateway API's precedence.
 */
function routeFor(
  objects: K8sObject[],
  method: string,
  path: string,
  headers: Record<string, string> = {},
): RoutedRequest | undefined {
  let best: { routed: RoutedRequest; headers: number } | undefined;
  for (const { route, rule } of rulesOf(objects)) {
    for (const match of rule.matches ?? []) {
      if (!requestMatches(match, method, path, headers)) continue;
      const headerCount = match.headers?.length ?? 0;
      if (!best || headerCount > best.headers) {
        best = { routed: { route, rule, backends: rule.backendRefs ?? [] }, headers: headerCount };
      }
    }
  }
  return best?.routed;
}

const serviceOf = (backend: string, release: string): string =>
  backend.slice(release.length + 1).replace(/^order-api$/, 'order');

/**
 * Every public operation reaches its service (a user operation either version), and nothing else
 * is routed: the probes, /metrics and undocumented requests reach no rule, and every match of
 * every rule serves some operation or a Swagger UI.
 */
export function routeCoverageProblems(objects: K8sObject[], release: string): string[] {
  const problems: string[] = [];
  const operations = publicOperations();
  for (const { service, method, path } of operations) {
    const routed = routeFor(objects, method, path);
    const reached = (routed?.backends ?? []).map((backend) => serviceOf(backend.name, release));
    const expected = service === 'order' ? ['order'] : ['user-v1', 'user-v2'];
    if (reached.length === 0 || reached.some((name) => !expected.includes(name))) {
      problems.push(`${method} ${path} (${service}) reaches [${reached.join(', ')}]`);
    }
  }
  for (const [method, path] of UNROUTED_REQUESTS) {
    const routed = routeFor(objects, method, path);
    if (routed) problems.push(`${method} ${path} is routed by ${routed.route}`);
  }
  for (const { route, rule } of rulesOf(objects)) {
    for (const match of rule.matches ?? []) {
      const docs = match.path?.type === 'PathPrefix' && match.path.value?.startsWith('/docs/');
      const serves = operations.some(({ method, path }) =>
        requestMatches(match, method, path, headersOf(match)),
      );
      if (!docs && !serves) {
        problems.push(`${route}: ${match.method ?? '*'} ${match.path?.value} serves no operation`);
      }
    }
  }
  return problems;
}

const headersOf = (match: RouteMatch): Record<string, string> =>
  Object.fromEntries((match.headers ?? []).map((header) => [header.name, header.value]));

/** The split rule sends P % to user-v1 and 100 - P % to user-v2: weights sum to 100. */
export function splitProblems(objects: K8sObject[], release: string, p: number): string[] {
  const routed = routeFor(objects, 'PUT', '/users/u1');
  const weights = Object.fromEntries(
    (routed?.backends ?? []).map((backend) => [serviceOf(backend.name, release), backend.weight]),
  );
  const problems: string[] = [];
  const sum = Object.values(weights).reduce<number>((total, weight) => total + (weight ?? 0), 0);
  if (sum !== 100) problems.push(`split weights sum to ${sum}, not 100`);
  if (weights['user-v1'] !== p) problems.push(`user-v1 weight ${weights['user-v1']}, not ${p}`);
  if (weights['user-v2'] !== 100 - p) {
    problems.push(`user-v2 weight ${weights['user-v2']}, not ${100 - p}`);
  }
  return problems;
}

/**
 * X-User-Service-Version: vN sends every user operation to user-vN alone; without the header
 * every user operation reaches the split between both versions.
 */
export function pinningProblems(objects: K8sObject[], release: string): string[] {
  const problems: string[] = [];
  const operations = publicOperations().filter(({ service }) => service !== 'order');
  for (const { method, path } of operations) {
    const routed = routeFor(objects, method, path);
    const reached = (routed?.backends ?? []).map((backend) => serviceOf(backend.name, release));
    if (reached.sort().join(',') !== 'user-v1,user-v2') {
      problems.push(`${method} ${path} without a pin reaches [${reached.join(', ')}]`);
    }
  }
  for (const version of ['v1', 'v2']) {
    for (const { method, path } of operations) {
      const routed = routeFor(objects, method, path, { 'X-User-Service-Version': version });
      const reached = (routed?.backends ?? []).map((backend) => serviceOf(backend.name, release));
      if (reached.length !== 1 || reached[0] !== `user-${version}`) {
        problems.push(`${method} ${path} pinned to ${version} reaches [${reached.join(', ')}]`);
      }
    }
  }
  return problems;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Probe {
  httpGet?: { path?: string };
}
interface Container {
  name: string;
  env?: EnvVar[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
}
interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}

function podTemplates(objects: K8sObject[]): { owner: string; template: PodTemplate }[] {
  return objects
    .filter((object) => ['Deployment', 'Job'].includes(object.kind))
    .map((object) => ({
      owner: `${object.kind}/${object.metadata.name}`,
      template: spec<{ template: PodTemplate }>(object).template,
    }));
}

/** No Secret is rendered and no credential is written out: env values only name Secrets. */
export function secretProblems(objects: K8sObject[]): string[] {
  const problems = ofKind(objects, 'Secret').map(
    (secret) => `renders Secret ${secret.metadata.name}`,
  );
  for (const { owner, template } of podTemplates(objects)) {
    for (const container of template.spec.containers) {
      for (const variable of container.env ?? []) {
        if (/PASSWORD|SECRET|TOKEN|KEY/.test(variable.name) && variable.value !== undefined) {
          problems.push(`${owner}: ${variable.name} has a literal value`);
        }
        // A URL's password is always $(VAR), filled from a Secret by the kubelet.
        const credential = /:\/\/[^/@:]+:([^@]*)@/.exec(variable.value ?? '');
        if (credential && !/^\$\([A-Z_]+\)$/.test(credential[1])) {
          problems.push(`${owner}: ${variable.name} carries a literal credential`);
        }
      }
    }
  }
  return problems;
}

/** Every workload: probes, resources and the restricted security context. */
export function workloadProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { owner, template } of podTemplates(objects)) {
    const pod = template.spec;
    if (pod.automountServiceAccountToken !== false) problems.push(`${owner}: mounts a token`);
    for (const container of pod.containers) {
      const where = `${owner} ${container.name}`;
      if (owner.startsWith('Deployment/')) {
        if (container.livenessProbe?.httpGet?.path !== '/health') {
          problems.push(`${where}: liveness is not GET /health`);
        }
        if (container.readinessProbe?.httpGet?.path !== '/health/ready') {
          problems.push(`${where}: readiness is not GET /health/ready`);
        }
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!container.resources?.[kind]?.[resource]) {
            problems.push(`${where}: no ${resource} ${kind}`);
          }
        }
      }
      const security = container.securityContext;
      if (!(security?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) {
        problems.push(`${where}: may run as root`);
      }
      if (security?.readOnlyRootFilesystem !== true) problems.push(`${where}: writable root`);
      if (security?.allowPrivilegeEscalation !== false) {
        problems.push(`${where}: privilege escalation allowed`);
      }
      if (!security?.capabilities?.drop?.includes('ALL')) {
        problems.push(`${where}: capabilities not dropped`);
      }
    }
  }
  for (const account of ofKind(objects, 'ServiceAccount')) {
    if (account.automountServiceAccountToken !== false) {
      problems.push(`ServiceAccount/${account.metadata.name}: mounts a token`);
    }
  }
  return problems;
}

interface NetworkPeer {
  namespaceSelector?: { matchLabels?: Labels };
  podSelector?: { matchLabels?: Labels };
}
interface NetworkPolicySpec {
  podSelector: { matchLabels?: Labels };
  policyTypes?: string[];
  ingress?: { from?: NetworkPeer[]; ports?: { port: number }[] }[];
  egress?: unknown[];
}

const labelsText = (labels: Labels = {}): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

const selects = (selector: Labels = {}, labels: Labels = {}): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/**
 * The ingress paths the NetworkPolicies allow, as "source -> target:port". A source that selects
 * rendered pods of the release's namespace is written as those pods' names.
 */
export function allowedPaths(objects: K8sObject[], namespace: string): string[] {
  const pods = podTemplates(objects).map(({ template }) => ({
    name: template.metadata?.labels?.['app.kubernetes.io/name'] ?? '?',
    labels: template.metadata?.labels ?? {},
  }));
  const describe = (selector: Labels = {}): string => {
    const selected = pods.filter((pod) => selects(selector, pod.labels));
    return selected.length > 0 ? selected.map((pod) => pod.name).join('+') : labelsText(selector);
  };
  const paths: string[] = [];
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const { podSelector, ingress = [] } = spec<NetworkPolicySpec>(policy);
    const target = describe(podSelector.matchLabels);
    for (const rule of ingress) {
      for (const peer of rule.from ?? [{}]) {
        const peerNamespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
        const inNamespace = peer.namespaceSelector === undefined || peerNamespace === namespace;
        const source = [
          peer.namespaceSelector && !inNamespace
            ? `ns:${labelsText(peer.namespaceSelector.matchLabels)}`
            : '',
          peer.podSelector
            ? inNamespace
              ? describe(peer.podSelector.matchLabels)
              : labelsText(peer.podSelector.matchLabels)
            : '',
        ]
          .filter(Boolean)
          .join(' ');
        for (const port of rule.ports ?? [{ port: 0 }]) {
          paths.push(`${source || 'anywhere'} -> ${target}:${port.port || 'any'}`);
        }
      }
    }
  }
  return paths.sort();
}

/** Pods of the release that no NetworkPolicy selects for ingress (open to everyone). */
export function unprotectedPods(objects: K8sObject[]): string[] {
  const policies = ofKind(objects, 'NetworkPolicy').map((policy) =>
    spec<NetworkPolicySpec>(policy),
  );
  return podTemplates(objects)
    .filter(
      ({ template }) =>
        !policies.some(
          (policy) =>
            (policy.policyTypes ?? ['Ingress']).includes('Ingress') &&
            selects(policy.podSelector.matchLabels, template.metadata?.labels),
        ),
    )
    .map(({ owner }) => owner);
}

interface Definitions {
  vhosts: { name: string }[];
  users: { name: string; tags: string }[];
  permissions: { user: string; vhost: string; configure: string; write: string; read: string }[];
  exchanges: Record<string, unknown>[];
  queues: { arguments: Record<string, unknown> }[];
  bindings: Record<string, unknown>[];
  policies: Record<string, unknown>[];
}

/** The broker definitions docker compose loads. */
export function composeDefinitions(): Definitions {
  return JSON.parse(
    readFileSync(join(REPO, 'docker/rabbitmq/definitions.json'), 'utf8'),
  ) as Definitions;
}

/** JSON with object keys sorted at every depth: equal values give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * The topology CRs as the broker objects they declare, each a JSON line, so a chart and the
 * compose definitions can be compared as sets.
 */
function renderedTopology(objects: K8sObject[]): string[] {
  const users = new Map(
    ofKind(objects, 'User').map((user) => [user.metadata.name, user.metadata.name.slice(5)]),
  );
  return objects
    .filter(
      (object) =>
        object.apiVersion.startsWith('rabbitmq.com/') && object.kind !== 'RabbitmqCluster',
    )
    .map((object) => {
      // Which cluster an object belongs to is the chart's concern, not the broker's.
      const fields = { ...spec<Record<string, unknown>>(object) };
      delete fields.rabbitmqClusterReference;
      if (object.kind === 'User') {
        return canonical({
          kind: 'User',
          name: users.get(object.metadata.name),
          tags: fields.tags,
        });
      }
      if (object.kind === 'Permission') {
        const { userReference, permissions, vhost } = fields as {
          userReference: { name: string };
          permissions: Record<string, string>;
          vhost: string;
        };
        return canonical({
          kind: 'Permission',
          user: users.get(userReference.name),
          vhost,
          ...permissions,
        });
      }
      return canonical({ kind: object.kind, ...fields });
    })
    .sort();
}

/** What the compose definitions declare, in the CRs' own field names. */
function definedTopology(definitions: Definitions): string[] {
  const admins = definitions.users
    .filter((user) => user.tags === 'administrator')
    .map((user) => user.name);
  const line = (value: object): string => canonical(value);
  return [
    ...definitions.vhosts.map((vhost) =>
      line({ kind: 'Vhost', name: vhost.name, defaultQueueType: 'quorum' }),
    ),
    ...definitions.exchanges.map((exchange) =>
      line({
        kind: 'Exchange',
        name: exchange.name,
        vhost: exchange.vhost,
        type: exchange.type,
        durable: exchange.durable,
        autoDelete: exchange.auto_delete,
        arguments: exchange.arguments,
      }),
    ),
    ...definitions.queues.map(
      (queue: Record<string, unknown> & { arguments: Record<string, unknown> }) => {
        const { 'x-queue-type': type, ...queueArguments } = queue.arguments;
        return line({
          kind: 'Queue',
          name: queue.name,
          vhost: queue.vhost,
          type,
          durable: queue.durable,
          autoDelete: queue.auto_delete,
          arguments: queueArguments,
        });
      },
    ),
    ...definitions.bindings.map((binding) =>
      line({
        kind: 'Binding',
        vhost: binding.vhost,
        source: binding.source,
        destination: binding.destination,
        destinationType: binding.destination_type,
        routingKey: binding.routing_key,
        arguments: binding.arguments,
      }),
    ),
    ...definitions.policies.map((policy) =>
      line({
        kind: 'Policy',
        name: policy.name,
        vhost: policy.vhost,
        pattern: policy.pattern,
        applyTo: policy['apply-to'],
        priority: policy.priority,
        definition: policy.definition,
      }),
    ),
    ...definitions.users
      .filter((user) => !admins.includes(user.name))
      .map((user) =>
        line({ kind: 'User', name: user.name, tags: user.tags ? user.tags.split(',') : [] }),
      ),
    ...definitions.permissions
      .filter((permission) => !admins.includes(permission.user))
      .map(({ user, vhost, configure, write, read }) =>
        line({ kind: 'Permission', user, vhost, configure, write, read }),
      ),
  ].sort();
}

/** Broker objects the chart and the compose definitions do not agree on. */
export function topologyProblems(objects: K8sObject[], definitions: Definitions): string[] {
  const rendered = renderedTopology(objects);
  const defined = definedTopology(definitions);
  return [
    ...defined
      .filter((entry) => !rendered.includes(entry))
      .map((entry) => `not in the chart: ${entry}`),
    ...rendered
      .filter((entry) => !defined.includes(entry))
      .map((entry) => `not in the definitions: ${entry}`),
  ];
}
