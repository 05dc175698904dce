import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from './support/helm';

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  networks?: string[] | Record<string, unknown>;
}

const composeText = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const definitions = JSON.parse(
  readFileSync(join(REPO, 'docker/rabbitmq/definitions.json'), 'utf8'),
) as { users: { name: string }[]; permissions: { user: string; write: string }[] };

/** What `docker compose config` cannot tell: the exposure and secret rules of the stack. */
describe('docker-compose.yml', () => {
  it('publishes only the gateway proxy beyond the host loopback', () => {
    const published = Object.entries(compose.services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => ({ name, port })),
    );
    const public_ = published.filter(({ port }) => !port.startsWith('127.0.0.1:'));
    expect(public_).toEqual([{ name: 'kong', port: '${GATEWAY_PORT:-8000}:8000' }]);
  });

  it('stops with a message when a secret is missing, and commits none', () => {
    const secrets = [
      ...composeText.matchAll(/\$\{([A-Z0-9_]*(PASSWORD|CONSUMERS))(:\?|:-|-|\?|\})/g),
    ];
    expect(secrets.length).toBeGreaterThan(0);
    // The first use of each secret demands it; later uses may rely on that.
    const firstUse = new Map<string, string>();
    for (const [, name, , operator] of secrets)
      if (!firstUse.has(name)) firstUse.set(name, operator);
    for (const [name, operator] of firstUse)
      expect({ name, operator }).toEqual({ name, operator: ':?' });
    expect(composeText).toMatch(/\$\{MONGO_ROOT_PASSWORD:\?set MONGO_ROOT_PASSWORD in \.env/);
  });

  it('gives each service its own RabbitMQ user from the definitions', () => {
    const users = new Set(definitions.users.map((user) => user.name));
    for (const service of ['user-v1', 'user-v2', 'order']) {
      const url = new URL(compose.services[service].environment!.AMQP_URL);
      expect({ service, user: url.username, known: users.has(url.username) }).toEqual({
        service,
        user: service,
        known: true,
      });
      expect(url.pathname).toBe('/aware');
    }
  });

  it('lets no RabbitMQ user but the publishers and ops write to the users exchange', () => {
    const writers = definitions.permissions
      .filter((permission) => new RegExp(permission.write).test('aware.users'))
      .map((permission) => permission.user)
      .sort();
    expect(writers).toEqual(['aware-admin', 'ops', 'user-v1', 'user-v2']);
  });

  it('keeps the services and databases off the gateway edge network', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const networks = Array.isArray(service.networks)
        ? service.networks
        : Object.keys(service.networks ?? {});
      expect({ name, onEdge: networks.includes('edge') }).toEqual({
        name,
        onEdge: name === 'kong',
      });
    }
  });
});
