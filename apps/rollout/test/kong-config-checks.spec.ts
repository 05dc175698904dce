import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO } from '../../../test/support/helm';
import {
  documentedOperations,
  publicOperations,
  UNROUTED_REQUESTS,
} from '../../../test/support/public-api';
import { KongConfigError, renderKongConfig } from '../src/kong-config';
import { pathMatches, routeFor, type KongDeclarativeConfig } from './kong-routes';

const LINT_RULESET = join(REPO, 'kong/deck-lint-ruleset.yaml');
// An empty value (a copied .env.example) means the default, as in build-tools.sh.
const TOOLS_DIR = process.env.AWARE_TOOLS_DIR || join(homedir(), '.cache/aware-tools');
const DECK = join(TOOLS_DIR, 'deck');

const API_KEY = 'test-key-0123456789abcdef0123';
const BASE_ENV = {
  PATH: process.env.PATH,
  P_VALUE: '30',
  API_CONSUMERS: `web-shop:${API_KEY}`,
};

async function render(env: Record<string, string | undefined> = {}): Promise<string> {
  return renderKongConfig({ ...BASE_ENV, ...env });
}

async function renderParsed(
  env: Record<string, string | undefined> = {},
): Promise<KongDeclarativeConfig> {
  return parse(await render(env)) as KongDeclarativeConfig;
}

function userTargets(config: KongDeclarativeConfig): Record<string, number> {
  const upstream = config.upstreams.find((entry) => entry.name === 'user-service');
  return Object.fromEntries((upstream?.targets ?? []).map((t) => [t.target, t.weight]));
}

describe('Kong config template', () => {
  it.each([
    ['0', 0],
    ['30', 30],
    ['100', 100],
  ])('P_VALUE=%s gives user-v1 weight P and user-v2 100 - P', async (value, percent) => {
    const config = await renderParsed({ P_VALUE: value });
    expect(config._format_version).toBe('3.0');
    expect(userTargets(config)).toEqual({ 'user-v1:3000': percent, 'user-v2:3000': 100 - percent });
  });

  it.each(['-1', '101', '2.5', 'abc', '', '1e2', ' 5', '007'])(
    'refuses P_VALUE=%j with a message naming the variable and the value',
    async (value) => {
      const rendering = render({ P_VALUE: value });
      await expect(rendering).rejects.toThrow(KongConfigError);
      await expect(rendering).rejects.toThrow(`P_VALUE must be an integer from 0 to 100`);
      await expect(rendering).rejects.toThrow(`got "${value}"`);
    },
  );

  it('refuses a missing P_VALUE', async () => {
    await expect(render({ P_VALUE: undefined })).rejects.toThrow('P_VALUE must be an integer');
  });

  it('balances round-robin without stickiness by default', async () => {
    const [upstream] = (await renderParsed()).upstreams;
    expect(upstream).toMatchObject({ algorithm: 'round-robin', hash_on: 'none' });
    expect(upstream.hash_fallback).toBeUndefined();
    expect(upstream.hash_on_header).toBeUndefined();
  });

  it('keeps each API client on one version with USER_ROLLOUT_HASH_ON=consumer', async () => {
    const [upstream] = (await renderParsed({ USER_ROLLOUT_HASH_ON: 'consumer' })).upstreams;
    // The consumer key-auth identified; a request without one is hashed by address, not on "".
    expect(upstream).toMatchObject({
      algorithm: 'consistent-hashing',
      hash_on: 'consumer',
      hash_fallback: 'ip',
    });
    expect(upstream.hash_on_header).toBeUndefined();
  });

  it('keeps a client on one version by address with USER_ROLLOUT_HASH_ON=ip', async () => {
    const [upstream] = (await renderParsed({ USER_ROLLOUT_HASH_ON: 'ip' })).upstreams;
    expect(upstream).toMatchObject({ algorithm: 'consistent-hashing', hash_on: 'ip' });
    expect(upstream.hash_fallback).toBeUndefined();
  });

  // Kong 3.9 reads a hash header as ngx.var["http_" .. name] without turning "-" into "_", so a
  // dashed name hashes every request on "" and one version takes all; `apikey` is hidden by
  // key-auth and `consumer` is not a header.
  it.each(['X-Client-Id', 'X_Client_Id', 'apikey', 'header', 'cookie', 'IP', ' ip', 'X Client'])(
    'refuses USER_ROLLOUT_HASH_ON=%j, naming the values that work',
    async (value) => {
      const rendering = render({ USER_ROLLOUT_HASH_ON: value });
      await expect(rendering).rejects.toThrow(KongConfigError);
      await expect(rendering).rejects.toThrow(
        `USER_ROLLOUT_HASH_ON must be none, consumer or ip, got "${value}"`,
      );
    },
  );

  it('pins requests with X-User-Service-Version to one version whatever P is', async () => {
    for (const percent of ['0', '100']) {
      const config = await renderParsed({ P_VALUE: percent });
      for (const [version, host] of [
        ['v1', 'user-v1'],
        ['v2', 'user-v2'],
      ]) {
        for (const [method, path] of [
          ['POST', '/users'],
          ['GET', '/users/u1'],
          ['PUT', '/users/u1'],
        ]) {
          const match = routeFor(config, method, path, { 'X-User-Service-Version': version });
          expect({ method, path, version, host: match?.service.host }).toEqual({
            method,
            path,
            version,
            host,
          });
        }
      }
      expect(routeFor(config, 'GET', '/users/u1')?.service.host).toBe('user-service');
    }
  });

  it('creates one consumer with a key-auth credential per API_CONSUMERS entry', async () => {
    const config = await renderParsed({
      API_CONSUMERS: `web-shop:${API_KEY},mobile.app:${API_KEY}-2`,
    });
    expect(config.consumers.filter((consumer) => consumer.keyauth_credentials)).toEqual([
      { username: 'web-shop', keyauth_credentials: [{ key: API_KEY }] },
      { username: 'mobile.app', keyauth_credentials: [{ key: `${API_KEY}-2` }] },
    ]);
  });

  it.each([
    ['', 'API_CONSUMERS must list at least one API client'],
    [API_KEY, "API_CONSUMERS entries must be name:key; one entry has no ':'"],
    ['short:abc', 'must be 24-256 characters'],
    [`bad name:${API_KEY}`, 'consumer name must be letters'],
    [`a:${API_KEY}"`, 'may hold only letters'],
    [`a:${API_KEY},a:${API_KEY}`, 'consumer "a" is listed twice'],
    [
      `unauthenticated:${API_KEY}`,
      '"unauthenticated" is reserved for requests without a valid key',
    ],
  ])('refuses API_CONSUMERS=%j without echoing a key', async (value, message) => {
    const rendering = render({ API_CONSUMERS: value });
    await expect(rendering).rejects.toThrow(message);
    await expect(rendering).rejects.not.toThrow(API_KEY);
  });

  it('leaves X-Request-ID to the services: Kong only adds one when the client sent none', async () => {
    const config = await renderParsed();
    // correlation-id (Kong 3.9) keeps a client's id, generates one only when absent, and with
    // echo_downstream would overwrite the service's answer with the client's raw id. A uuid is a
    // plain token the services keep, so the id in the answer is the one their logs used.
    expect(config.plugins.find((p) => p.name === 'correlation-id')?.config).toEqual({
      header_name: 'X-Request-ID',
      generator: 'uuid',
      echo_downstream: false,
    });
  });

  it('limits requests without a valid key per client address before answering 401', async () => {
    const config = await renderParsed({ GATEWAY_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE: '20' });
    // key-auth answering 401 itself would end the request before any rate-limiting plugin runs
    // (priority 1250 against 910), so it hands keyless requests to the `unauthenticated`
    // consumer, whose own plugins limit per address (910), then answer 401 (request-termination, 2).
    for (const service of config.services.filter((s) => !s.name.startsWith('docs-'))) {
      const keyAuth = service.plugins?.find((plugin) => plugin.name === 'key-auth');
      expect({ service: service.name, anonymous: keyAuth?.config?.anonymous }).toEqual({
        service: service.name,
        anonymous: 'unauthenticated',
      });
    }
    const unauthenticated = config.consumers.find((c) => c.username === 'unauthenticated');
    expect(unauthenticated?.keyauth_credentials).toBeUndefined();
    expect(unauthenticated?.plugins).toEqual([
      { name: 'rate-limiting', config: { minute: 20, limit_by: 'ip', policy: 'local' } },
      {
        name: 'request-termination',
        config: {
          status_code: 401,
          message: 'Unauthorized: send a valid API key in the apikey header',
        },
      },
      {
        name: 'response-transformer',
        config: { add: { headers: ['WWW-Authenticate:Key realm="aware"'] } },
      },
    ]);
    expect((await renderParsed()).consumers[0].plugins?.[0].config).toMatchObject({ minute: 60 });
  });

  it.each(['GATEWAY_RATE_LIMIT_PER_MINUTE', 'GATEWAY_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE'])(
    'refuses a %s that is not a positive integer',
    async (name) => {
      for (const value of ['0', '-5', '1.5', 'many', '1234567890']) {
        await expect(render({ [name]: value })).rejects.toThrow(`${name} must be`);
      }
    },
  );

  it('points the upstream targets at GATEWAY_*_TARGET and refuses malformed ones', async () => {
    const config = await renderParsed({
      GATEWAY_USER_V1_TARGET: '127.0.0.1:3001',
      GATEWAY_USER_V2_TARGET: '127.0.0.1:3002',
      GATEWAY_ORDER_TARGET: 'orders.internal:8080',
    });
    expect(userTargets(config)).toEqual({ '127.0.0.1:3001': 30, '127.0.0.1:3002': 70 });
    expect(config.upstreams[1].targets).toEqual([{ target: 'orders.internal:8080', weight: 100 }]);
    expect(config.services.find((s) => s.name === 'docs-order')).toMatchObject({
      host: 'orders.internal',
      port: 8080,
    });
    await expect(render({ GATEWAY_ORDER_TARGET: 'order' })).rejects.toThrow(
      'GATEWAY_ORDER_TARGET must be host:port, got "order"',
    );
    await expect(render({ GATEWAY_USER_V1_TARGET: 'user-v1:70000' })).rejects.toThrow(
      'port 1-65535',
    );
  });

  it('loads the plugins the gateway relies on', async () => {
    const config = await renderParsed({ GATEWAY_RATE_LIMIT_PER_MINUTE: '120' });
    expect(config.plugins.map((plugin) => plugin.name).sort()).toEqual([
      'correlation-id',
      'prometheus',
      'rate-limiting',
      'request-size-limiting',
    ]);
    expect(config.plugins.find((p) => p.name === 'rate-limiting')?.config).toMatchObject({
      minute: 120,
    });
    // What the rollout gate reads from Kong's status API (kong-status-metrics.ts).
    expect(config.plugins.find((p) => p.name === 'prometheus')?.config).toMatchObject({
      status_code_metrics: true,
      upstream_health_metrics: true,
    });
    // Every API service demands a key; only the docs are open.
    for (const service of config.services) {
      const keyAuth = service.plugins?.some((plugin) => plugin.name === 'key-auth') ?? false;
      expect({ service: service.name, keyAuth }).toEqual({
        service: service.name,
        keyAuth: !service.name.startsWith('docs-'),
      });
    }
  });

  it('carries Idempotency-Key to the creates and scopes it by the authenticated API client', async () => {
    const config = await renderParsed();
    const plugins = [
      ...config.plugins,
      ...config.services.flatMap((service) => service.plugins ?? []),
    ];
    const names = (value: unknown): string[] =>
      Array.isArray(value) ? value.map((entry) => String(entry).split(':')[0].toLowerCase()) : [];
    for (const { name, config: settings = {} } of plugins) {
      // A CORS plugin must allow the request header and expose the replay header to browsers.
      if (name === 'cors') {
        if (settings.headers !== undefined) {
          expect(names(settings.headers)).toContain('idempotency-key');
        }
        expect(names(settings.exposed_headers)).toContain('idempotent-replayed');
      }
      // Nothing may drop or rewrite either header on its way.
      if (name.startsWith('request-transformer')) {
        for (const action of ['remove', 'rename', 'replace']) {
          const rule = (settings[action] ?? {}) as Record<string, unknown>;
          expect(names(rule.headers)).not.toContain('idempotency-key');
        }
      }
      if (name.startsWith('response-transformer')) {
        const rule = (settings.remove ?? {}) as Record<string, unknown>;
        expect(names(rule.headers)).not.toContain('idempotent-replayed');
      }
    }
    // The key's scope is the consumer key-auth sets (X-Consumer-ID replaces what a client sent).
    // Its anonymous fallback may only name a consumer that Kong answers 401 for itself, so an
    // unauthenticated request never reaches a service to share one scope there.
    const terminatedConsumers = new Set(
      config.consumers
        .filter((consumer) =>
          consumer.plugins?.some(
            (plugin) => plugin.name === 'request-termination' && plugin.config?.status_code === 401,
          ),
        )
        .map((consumer) => consumer.username),
    );
    const PIN_HEADERS: Record<string, string>[] = [
      {},
      { 'X-User-Service-Version': 'v1' },
      { 'X-User-Service-Version': 'v2' },
    ];
    for (const [method, path] of [
      ['POST', '/users'],
      ['POST', '/orders'],
    ]) {
      for (const pin of PIN_HEADERS) {
        const match = routeFor(config, method, path, pin);
        const keyAuth = match?.service.plugins?.find((plugin) => plugin.name === 'key-auth');
        expect({ route: match?.route.name, keyAuth: keyAuth !== undefined }).toEqual({
          route: match?.route.name,
          keyAuth: true,
        });
        const anonymous = keyAuth?.config?.anonymous;
        if (anonymous !== undefined) expect(terminatedConsumers).toContain(anonymous);
      }
    }
  });
});

describe('Kong routes against the OpenAPI documents', () => {
  let config: KongDeclarativeConfig;
  const operations = documentedOperations();
  const clientOperations = publicOperations();

  beforeAll(async () => {
    config = await renderParsed();
  });

  it('finds the operations of all three services', () => {
    expect(new Set(operations.map(({ service }) => service))).toEqual(
      new Set(['user-v1', 'user-v2', 'order']),
    );
    expect(clientOperations.length).toBeGreaterThanOrEqual(8);
  });

  it('routes every public operation to its service', () => {
    for (const { service, method, path } of clientOperations) {
      const expected = service === 'order' ? 'orders' : 'users';
      expect({ method, path, to: routeFor(config, method, path)?.service.name }).toEqual({
        method,
        path,
        to: expected,
      });
    }
    // Collection routes answer with and without a trailing slash.
    expect(routeFor(config, 'POST', '/users/')?.service.name).toBe('users');
    expect(routeFor(config, 'GET', '/orders/')?.service.name).toBe('orders');
  });

  it('routes nothing that is not a documented operation', () => {
    for (const service of config.services) {
      for (const route of service.routes ?? []) {
        for (const method of route.methods ?? []) {
          const docsPath = service.name.startsWith('docs-') ? `/docs/${service.name.slice(5)}` : '';
          const served = clientOperations.some(
            (operation) =>
              operation.method === method &&
              (route.paths ?? []).some((routePath) => pathMatches(routePath, operation.path)),
          );
          expect({ route: route.name, method, served: served || docsPath !== '' }).toEqual({
            route: route.name,
            method,
            served: true,
          });
        }
      }
    }
  });

  it.each(UNROUTED_REQUESTS)('does not route %s %s', (method, path) => {
    expect(routeFor(config, method, path)?.route.name).toBeUndefined();
  });

  it("serves each service's Swagger UI under /docs/<service>/", () => {
    for (const [service, host] of [
      ['user-v1', 'user-v1'],
      ['user-v2', 'user-v2'],
      ['order', 'order'],
    ]) {
      const match = routeFor(config, 'GET', `/docs/${service}/`);
      expect(match?.service).toMatchObject({ host, port: 3000, path: '/docs' });
      expect(match?.route.strip_path).toBe(true);
    }
  });
});

function findDeck(): string {
  if (!existsSync(DECK)) {
    throw new Error(
      `decK not found at ${DECK}: run scripts/tools/build-tools.sh deck (it builds decK from the ` +
        'Go module proxy into that cache; set AWARE_TOOLS_DIR to use another directory)',
    );
  }
  return DECK;
}

describe('decK checks of the rendered config', () => {
  let deck: string;
  let workDir: string;
  let rendered: KongDeclarativeConfig;

  beforeAll(async () => {
    deck = findDeck();
    workDir = mkdtempSync(join(tmpdir(), 'aware-kong-'));
    rendered = await renderParsed({ USER_ROLLOUT_HASH_ON: 'consumer' });
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  function runDeck(args: string[], config: string): { status: number | null; output: string } {
    const file = join(workDir, 'kong.yml');
    writeFileSync(file, config);
    const result = spawnSync(
      deck,
      ['--analytics=false', ...args.map((a) => a.replace('$FILE', file))],
      {
        encoding: 'utf8',
      },
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  /** The descriptions of the lint rules that fail for a config. */
  function lintFailures(config: string): string[] {
    const { output } = runDeck(
      ['file', 'lint', '--format', 'json', '-s', '$FILE', LINT_RULESET],
      config,
    );
    const report = JSON.parse(output) as { results: { Message: string }[] };
    return [...new Set(report.results.map((result) => result.Message.split(':')[0]))];
  }

  function mutated(change: (config: KongDeclarativeConfig) => void): string {
    const copy = structuredClone(rendered);
    change(copy);
    return stringify(copy);
  }

  it.each([
    ['0', 'none'],
    ['30', 'consumer'],
    ['100', 'ip'],
  ])(
    'accepts the config rendered with P_VALUE=%s, USER_ROLLOUT_HASH_ON=%s',
    async (value, hashOn) => {
      const config = await render({ P_VALUE: value, USER_ROLLOUT_HASH_ON: hashOn });
      expect(runDeck(['file', 'validate', '$FILE'], config)).toMatchObject({ status: 0 });
      expect(lintFailures(config)).toEqual([]);
    },
  );

  it('validate catches a field Kong does not know', () => {
    const broken = mutated((config) => {
      Object.assign(config.services[0].routes![0], { strip_pth: false });
    });
    const result = runDeck(['file', 'validate', '$FILE'], broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('Additional property strip_pth is not allowed');
  });

  it('validate catches two routes with one name', () => {
    const broken = mutated((config) => {
      config.services[1].routes![0].name = config.services[0].routes![0].name;
    });
    const result = runDeck(['file', 'validate', '$FILE'], broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('entity already exists');
  });

  it.each<[string, (config: KongDeclarativeConfig) => void, string]>([
    [
      'a target weight above 65535',
      (config) => {
        config.upstreams[1].targets[0].weight = 70000;
      },
      'Kong accepts target weights from 0 to 65535',
    ],
    [
      'user weights that are not P and 100 - P',
      (config) => {
        config.upstreams[0].targets[0].weight = 31;
      },
      'the user-service upstream has two targets, user-v1 and user-v2, weighted P and 100 - P',
    ],
    [
      'a third user target',
      (config) => {
        config.upstreams[0].targets.push({ target: 'user-v3:3000', weight: 0 });
      },
      'the user-service upstream has two targets, user-v1 and user-v2, weighted P and 100 - P',
    ],
    [
      'hashing on a header whose name has a dash (Kong 3.9 hashes every request on "")',
      (config) => {
        Object.assign(config.upstreams[0], { hash_on: 'header', hash_on_header: 'X-Client-Id' });
      },
      'a hashed upstream hashes on what Kong 3.9 can read, with a fallback for requests without it',
    ],
    [
      'hashing on the consumer without a fallback',
      (config) => {
        delete config.upstreams[0].hash_fallback;
      },
      'a hashed upstream hashes on what Kong 3.9 can read, with a fallback for requests without it',
    ],
    [
      'a regex path without ~',
      (config) => {
        config.services[0].routes![0].paths = ['/users/?$'];
      },
      'Kong 3 treats a path as a regex only when it starts with ~; other paths must be literal',
    ],
    [
      'a plugin outside the allow-list',
      (config) => {
        config.plugins.push({ name: 'pre-function', config: {} });
      },
      'only the plugins this gateway is built with, each with only the config keys Kong 3.9 knows',
    ],
    [
      'a misspelt global plugin config key',
      (config) => {
        config.plugins[0].config = { ...config.plugins[0].config, minutes: 5 };
      },
      'only the plugins this gateway is built with, each with only the config keys Kong 3.9 knows',
    ],
    [
      'a misspelt key-auth config key on a service',
      (config) => {
        config.services[0].plugins![0].config = { key_in_querry: true };
      },
      'service plugins follow the same allow-list as global ones',
    ],
    [
      'a misspelt request-termination key on the unauthenticated consumer',
      (config) => {
        config.consumers[0].plugins![1].config = { status: 401 };
      },
      'consumer plugins follow the same allow-list as global ones',
    ],
  ])('lint catches %s', (_case, change, rule) => {
    const broken = mutated(change);
    // Each of these passes decK's own validation: only the project's ruleset sees the problem.
    expect(runDeck(['file', 'validate', '$FILE'], broken).status).toBe(0);
    expect(lintFailures(broken)).toEqual([rule]);
  });
});
