/**
 * What a gateway in front of the services must route and must not: the operations of the
 * committed OpenAPI documents, and requests no route may take. Shared by the checks of the Kong
 * config (apps/rollout/test/kong-config-checks.spec.ts) and of the Helm charts' routes
 * (chart-checks.ts), so both gateways are held to the same list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helm';

interface Operation {
  service: 'user-v1' | 'user-v2' | 'order';
  method: string;
  path: string;
}

/** Probes and scrapes stay inside the deployment: the gateway reaches /health itself, Prometheus /metrics. */
const INTERNAL_PATHS = ['/health', '/health/ready', '/metrics'];

/** Every operation of docs/openapi/*.json, with a sample id in each path parameter. */
export function documentedOperations(): Operation[] {
  const dir = join(REPO, 'docs/openapi');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const document = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        paths: Record<string, Record<string, unknown>>;
      };
      return Object.entries(document.paths).flatMap(([template, operations]) =>
        Object.keys(operations).map((method) => ({
          service: file.replace(/\.json$/, '') as Operation['service'],
          method: method.toUpperCase(),
          path: template.replace(/\{[^}]+\}/g, 'sample_id-1'),
        })),
      );
    });
}

/** The documented operations a client may call through the gateway (not the internal ones). */
export function publicOperations(): Operation[] {
  return documentedOperations().filter(({ path }) => !INTERNAL_PATHS.includes(path));
}

/** Requests no route may take: probes, metrics, methods and paths the API does not have. */
export const UNROUTED_REQUESTS: readonly (readonly [method: string, path: string])[] = [
  ['GET', '/metrics'],
  ['GET', '/health'],
  ['GET', '/health/ready'],
  ['GET', '/users/u1/metrics'],
  ['DELETE', '/users/u1'],
  ['GET', '/users'],
  ['PATCH', '/orders/o1'],
  ['GET', '/orders/o1/status'],
  ['GET', '/docs'],
  ['GET', '/docs/json'],
  ['POST', '/docs/user-v1'],
  ['GET', '/'],
];
