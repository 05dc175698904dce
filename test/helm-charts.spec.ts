/**
 * The Helm charts of deploy/helm, rendered by Helm and read back: lint, golden files, schema
 * validation against Kubernetes 1.30 and the pinned CRDs, and the rules the deployment relies on.
 * Each rule is also run on a broken copy of the rendered objects, to show it catches the break.
 * Needs helm and kubectl-validate (scripts/tools/build-tools.sh builds them).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allowedPaths,
  composeDefinitions,
  ofKind,
  pinningProblems,
  routeCoverageProblems,
  secretProblems,
  splitProblems,
  topologyProblems,
  unprotectedPods,
  workloadProblems,
} from './support/chart-checks';
import { CHARTS, helm, render, template, validate, type K8sObject } from './support/helm';

jest.setTimeout(180_000);

const RELEASE = 'aware';
const NAMESPACE = 'default';
/** The value sets with golden files: each is a file under the chart's ci/ folder. */
const VALUE_SETS = ['defaults', 'p30-sticky', 'p0'] as const;
const DEFAULTS = ['ci/defaults-values.yaml'];
const GOLDEN_DIR = join(CHARTS, 'golden');
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

const clone = (objects: K8sObject[]): K8sObject[] => structuredClone(objects);
const named = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered chart`);
  return found;
};
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   the broken variants edit rendered objects at any depth; the checks under test read them typed. */
const specOf = (object: K8sObject): any => object.spec;

describe('Helm charts (deploy/helm)', () => {
  const app = render('aware', DEFAULTS).objects;
  const data = render('aware-data', DEFAULTS).objects;

  describe('helm lint --strict', () => {
    it.each(['aware', 'aware-data'])('%s lints clean with its CI values', (chart) => {
      const result = helm([
        'lint',
        '--strict',
        join(CHARTS, chart),
        '-f',
        join(CHARTS, chart, DEFAULTS[0]),
      ]);
      expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({
        status: 0,
      });
    });
  });

  describe('golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
    const cases: [string, 'aware' | 'aware-data', string][] = [
      ...VALUE_SETS.map((set): [string, 'aware', string] => [
        `aware-${set}`,
        'aware',
        `ci/${set}-values.yaml`,
      ]),
      ['aware-data-defaults', 'aware-data', DEFAULTS[0]],
    ];
    it.each(cases)('%s renders as committed', (golden, chart, values) => {
      const { text } = render(chart, [values]);
      const file = join(GOLDEN_DIR, `${golden}.yaml`);
      if (UPDATE_GOLDEN) writeFileSync(file, text);
      expect(existsSync(file)).toBe(true);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  });

  describe('schema validation: Kubernetes 1.30 and the pinned CRDs (kubectl-validate)', () => {
    it.each([
      ...VALUE_SETS.map((set): ['aware', string] => ['aware', `ci/${set}-values.yaml`]),
      ['aware-data', DEFAULTS[0]] as ['aware-data', string],
    ])('%s with %s: every object is valid', (chart, values) => {
      const result = validate(render(chart, [values]).text);
      expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({
        status: 0,
      });
    });

    it('refuses a broken variant: a negative backend weight and an unknown Deployment field', () => {
      const text = render('aware', DEFAULTS)
        .text.replace(/weight: 100/, 'weight: -1')
        .replace(/revisionHistoryLimit: 5/, 'revisionHistoryLimit: 5\n  replicaz: 2');
      const result = validate(text);
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/weight.*greater than or equal to 0/);
      expect(result.stdout + result.stderr).toMatch(/replicaz/);
    });
  });

  describe('user traffic split and pinning', () => {
    it.each([0, 30, 100])('P=%i: weights P and 100 - P, summing to 100', (p) => {
      const { objects } = render('aware', DEFAULTS, { 'rollout.p': p });
      expect(splitProblems(objects, RELEASE, p)).toEqual([]);
    });

    it('catches a split whose weights do not sum to 100', () => {
      const broken = clone(app);
      specOf(named(broken, 'HTTPRoute', 'aware-users')).rules[2].backendRefs[1].weight = 10;
      expect(splitProblems(broken, RELEASE, 100)).toEqual([
        'split weights sum to 110, not 100',
        'user-v2 weight 10, not 0',
      ]);
    });

    it('pins X-User-Service-Version: v1 and v2 to one version each, whatever P is', () => {
      for (const p of [0, 30, 100]) {
        expect(
          pinningProblems(render('aware', DEFAULTS, { 'rollout.p': p }).objects, RELEASE),
        ).toEqual([]);
      }
    });

    it('catches a pinning rule that lost its header or points at both versions', () => {
      const noHeader = clone(app);
      for (const match of specOf(named(noHeader, 'HTTPRoute', 'aware-users')).rules[0].matches) {
        delete match.headers;
      }
      expect(pinningProblems(noHeader, RELEASE)).toContain(
        'POST /users without a pin reaches [user-v1]',
      );
      const both = clone(app);
      const rules = specOf(named(both, 'HTTPRoute', 'aware-users')).rules;
      rules[1].backendRefs = rules[2].backendRefs;
      expect(pinningProblems(both, RELEASE)).toContain(
        'PUT /users/sample_id-1 pinned to v2 reaches [user-v1, user-v2]',
      );
    });

    it('hashes on the API client (client address as fallback) with stickiness, never on a header', () => {
      const policy = (objects: K8sObject[]): unknown =>
        specOf(named(objects, 'KongUpstreamPolicy', 'aware-users'));
      expect(policy(render('aware', ['ci/p30-sticky-values.yaml']).objects)).toMatchObject({
        algorithm: 'consistent-hashing',
        hashOn: { input: 'consumer' },
        hashOnFallback: { input: 'ip' },
      });
      expect(policy(app)).toMatchObject({ algorithm: 'round-robin' });
      expect(JSON.stringify(policy(app))).not.toMatch(/header/);
    });

    it('attaches one KongUpstreamPolicy to both user Services', () => {
      const policyOf = (name: string): string | undefined =>
        named(app, 'Service', name).metadata.annotations?.['konghq.com/upstream-policy'];
      expect([policyOf('aware-user-v1'), policyOf('aware-user-v2')]).toEqual([
        'aware-users',
        'aware-users',
      ]);
      named(app, 'KongUpstreamPolicy', 'aware-users');
    });
  });

  describe('routes against the OpenAPI documents', () => {
    it('routes every public operation to its service and nothing else', () => {
      expect(routeCoverageProblems(app, RELEASE)).toEqual([]);
    });

    it('catches a catch-all rule and a route to /metrics', () => {
      const broken = clone(app);
      specOf(named(broken, 'HTTPRoute', 'aware-orders')).rules.push({
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'aware-order-api', port: 80 }],
      });
      expect(routeCoverageProblems(broken, RELEASE)).toEqual(
        expect.arrayContaining([
          'GET /metrics is routed by aware-orders',
          'GET /health/ready is routed by aware-orders',
        ]),
      );
    });

    it('catches an operation left unrouted', () => {
      const broken = clone(app);
      const rule = specOf(named(broken, 'HTTPRoute', 'aware-orders')).rules[0];
      rule.matches = rule.matches.filter((match: { method?: string }) => match.method !== 'PUT');
      expect(routeCoverageProblems(broken, RELEASE)).toContain(
        'PUT /orders/sample_id-1/status (order) reaches []',
      );
    });

    it('guards the API routes with key-auth, not the Swagger UIs', () => {
      const plugins = (name: string): string[] =>
        (named(app, 'HTTPRoute', name).metadata.annotations?.['konghq.com/plugins'] ?? '').split(
          ',',
        );
      expect(plugins('aware-users')).toContain('aware-key-auth');
      expect(plugins('aware-orders')).toContain('aware-key-auth');
      expect(plugins('aware-docs')).not.toContain('aware-key-auth');
      expect(named(app, 'KongConsumer', 'aware-consumer-partner-a')).toMatchObject({
        username: 'partner-a',
        credentials: ['aware-key-partner-a'],
      });
    });
  });

  describe('secrets', () => {
    it('renders no Secret and no credential, in either chart', () => {
      expect(secretProblems([...app, ...data])).toEqual([]);
    });

    it('catches a rendered Secret and a password written into a URL', () => {
      const broken = clone(app);
      broken.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak' } });
      const env = specOf(named(broken, 'Deployment', 'aware-user-v1')).template.spec.containers[0]
        .env;
      env.find((variable: { name: string }) => variable.name === 'MONGO_URI').value =
        'mongodb://users-service:hunter2@db/users';
      expect(secretProblems(broken)).toEqual([
        'renders Secret leak',
        'Deployment/aware-user-v1: MONGO_URI carries a literal credential',
      ]);
    });
  });

  describe('workloads', () => {
    it('runs the order API and the order consumer as separate Deployments', () => {
      const roleOf = (name: string): string | undefined =>
        specOf(named(app, 'Deployment', name)).template.spec.containers[0].env.find(
          (variable: { name: string }) => variable.name === 'ORDER_ROLE',
        )?.value;
      expect([roleOf('aware-order-api'), roleOf('aware-order-consumer')]).toEqual([
        'api',
        'consumer',
      ]);
      expect(specOf(named(app, 'ScaledObject', 'aware-order-consumer'))).toMatchObject({
        scaleTargetRef: { name: 'aware-order-consumer' },
        triggers: [
          { type: 'rabbitmq', metadata: { mode: 'QueueLength', queueName: 'order.user-events' } },
        ],
      });
      expect(
        ofKind(app, 'HorizontalPodAutoscaler')
          .map((hpa) => hpa.metadata.name)
          .sort(),
      ).toEqual(['aware-order-api', 'aware-user-v1', 'aware-user-v2']);
    });

    it('gives every workload probes, resources and the restricted security context', () => {
      expect(workloadProblems(app)).toEqual([]);
      expect(ofKind(app, 'Deployment')).toHaveLength(4);
    });

    it('catches a Deployment without readiness, limits or a read-only root', () => {
      const broken = clone(app);
      const container = specOf(named(broken, 'Deployment', 'aware-order-consumer')).template.spec
        .containers[0];
      delete container.readinessProbe;
      delete container.resources.limits;
      container.securityContext.readOnlyRootFilesystem = false;
      expect(workloadProblems(broken)).toEqual([
        'Deployment/aware-order-consumer order: readiness is not GET /health/ready',
        'Deployment/aware-order-consumer order: no cpu limits',
        'Deployment/aware-order-consumer order: no memory limits',
        'Deployment/aware-order-consumer order: writable root',
      ]);
    });

    it('runs db-setup as a pre-install and pre-upgrade hook', () => {
      expect(named(app, 'Job', 'aware-db-setup').metadata.annotations?.['helm.sh/hook']).toBe(
        'pre-install,pre-upgrade',
      );
    });
  });

  describe('NetworkPolicies', () => {
    /** Only Kong reaches the HTTP services; only the services reach MongoDB and RabbitMQ. */
    const EXPECTED = [
      'user-v1+user-v2+order-api+order-consumer+db-setup -> aware.io/data=mongodb:27017',
      'user-v1+user-v2+order-consumer -> aware.io/data=rabbitmq:5672',
      'aware.io/data=mongodb -> aware.io/data=mongodb:27017',
      'aware.io/data=rabbitmq -> aware.io/data=rabbitmq:15672',
      'aware.io/data=rabbitmq -> aware.io/data=rabbitmq:25672',
      'aware.io/data=rabbitmq -> aware.io/data=rabbitmq:4369',
      'aware.io/data=rabbitmq -> aware.io/data=rabbitmq:5672',
      'ns:kubernetes.io/metadata.name=keda -> aware.io/data=rabbitmq:5672',
      'ns:kubernetes.io/metadata.name=kong app.kubernetes.io/name=gateway -> order-api:3000',
      'ns:kubernetes.io/metadata.name=kong app.kubernetes.io/name=gateway -> user-v1:3000',
      'ns:kubernetes.io/metadata.name=kong app.kubernetes.io/name=gateway -> user-v2:3000',
      'ns:kubernetes.io/metadata.name=monitoring -> aware.io/data=rabbitmq:15692',
      'ns:kubernetes.io/metadata.name=monitoring app.kubernetes.io/name=prometheus -> order-api:3000',
      'ns:kubernetes.io/metadata.name=monitoring app.kubernetes.io/name=prometheus -> order-consumer:3000',
      'ns:kubernetes.io/metadata.name=monitoring app.kubernetes.io/name=prometheus -> user-v1:3000',
      'ns:kubernetes.io/metadata.name=monitoring app.kubernetes.io/name=prometheus -> user-v2:3000',
      'ns:kubernetes.io/metadata.name=rabbitmq-system -> aware.io/data=rabbitmq:15672',
    ].sort();

    it('allow exactly the listed paths, and select every pod', () => {
      expect(allowedPaths([...app, ...data], NAMESPACE)).toEqual(EXPECTED);
      expect(unprotectedPods(app)).toEqual([]);
    });

    it('catch an extra path and a pod left unselected', () => {
      const broken = clone([...app, ...data]);
      specOf(named(broken, 'NetworkPolicy', 'aware-mongodb-ingress')).ingress.push({
        ports: [{ port: 27017 }],
      });
      expect(allowedPaths(broken, NAMESPACE)).toContain('anywhere -> aware.io/data=mongodb:27017');
      const open = clone(app).filter(
        (object) => object.metadata.name !== 'aware-order-consumer-ingress',
      );
      expect(unprotectedPods(open)).toEqual(['Deployment/aware-order-consumer']);
    });
  });

  describe('broker topology from the compose definitions', () => {
    it('declares exactly the vhost, exchanges, queues, bindings, policy, users and permissions of docker/rabbitmq/definitions.json', () => {
      expect(topologyProblems(data, composeDefinitions())).toEqual([]);
    });

    it('dead-letters at least once: the order queue is quorum, with reject-publish and a delivery limit', () => {
      expect(specOf(named(data, 'Queue', 'queue-order-user-events')).type).toBe('quorum');
      expect(specOf(named(data, 'Policy', 'policy-order-events'))).toMatchObject({
        pattern: '^order\\.user-events$',
        definition: {
          'dead-letter-strategy': 'at-least-once',
          overflow: 'reject-publish',
          'delivery-limit': 10,
        },
      });
    });

    it('catches a permission or a queue argument that drifted', () => {
      const broken = clone(data);
      specOf(named(broken, 'Permission', 'permission-order-aware')).permissions.write = '.*';
      specOf(named(broken, 'Queue', 'queue-order-user-events')).arguments['x-delivery-limit'] = 3;
      expect(topologyProblems(broken, composeDefinitions())).toHaveLength(4);
    });
  });

  describe('values.schema.json refuses bad values', () => {
    it.each([
      ['rollout.p=101', { 'rollout.p': 101 }, /rollout\/p.*maximum/],
      ['rollout.p=-1', { 'rollout.p': -1 }, /rollout\/p.*minimum/],
      ['rollout.p=30.5', { 'rollout.p': 30.5 }, /rollout\/p/],
      ['rollout.hashOn=header', { 'rollout.hashOn': 'header' }, /rollout\/hashOn/],
      ['an empty Secret name', { 'secrets.mongodb.ops': '' }, /secrets\/mongodb\/ops/],
      [
        'a consumer without its Secret',
        { 'apiConsumers[0].credentialSecret': null },
        /credentialSecret/,
      ],
    ])('aware: %s', (_what, set, message) => {
      const result = template('aware', DEFAULTS, set as Record<string, string | number>);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(message);
    });

    it('aware: refuses an install that names no Secrets at all', () => {
      const result = template('aware', []);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/secrets\/mongodb\/usersService/);
      expect(result.stderr).toMatch(/secrets\/kedaRabbitmq/);
    });

    it('aware-data: refuses a missing broker user Secret', () => {
      const result = template('aware-data', DEFAULTS, { 'rabbitmq.credentialSecrets.order': '' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/credentialSecrets\/order/);
    });
  });
});
