/**
 * A model of how Kong 3 (traditional_compatible router) picks a route for a request, for tests of
 * the rendered config: `~` paths are regexes anchored at the start, other paths are prefixes, and
 * among matching routes those that also match on headers win.
 */
interface KongRoute {
  name: string;
  methods?: string[];
  paths?: string[];
  headers?: Record<string, string[]>;
  strip_path?: boolean;
}

interface KongService {
  name: string;
  host: string;
  port: number;
  path?: string;
  routes?: KongRoute[];
  plugins?: { name: string; config?: Record<string, unknown> }[];
}

interface KongTarget {
  target: string;
  weight: number;
}

export interface KongDeclarativeConfig {
  _format_version: string;
  upstreams: {
    name: string;
    algorithm?: string;
    hash_on?: string;
    hash_fallback?: string;
    hash_on_header?: string;
    targets: KongTarget[];
  }[];
  services: KongService[];
  plugins: { name: string; config?: Record<string, unknown> }[];
  consumers: {
    username: string;
    keyauth_credentials?: { key: string }[];
    plugins?: { name: string; config?: Record<string, unknown> }[];
  }[];
}

interface RouteMatch {
  service: KongService;
  route: KongRoute;
}

export function pathMatches(routePath: string, requestPath: string): boolean {
  if (routePath.startsWith('~')) return new RegExp(`^${routePath.slice(1)}`).test(requestPath);
  return requestPath.startsWith(routePath);
}

function headersMatch(route: KongRoute, headers: Record<string, string>): boolean {
  return Object.entries(route.headers ?? {}).every(([name, values]) => {
    const sent = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
    return (
      sent !== undefined && values.some((value) => value.toLowerCase() === sent[1].toLowerCase())
    );
  });
}

/** The route Kong would pick for a request, or undefined when Kong answers 404 itself. */
export function routeFor(
  config: KongDeclarativeConfig,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): RouteMatch | undefined {
  const candidates = config.services.flatMap((service) =>
    (service.routes ?? [])
      .filter(
        (route) =>
          (route.methods === undefined || route.methods.includes(method)) &&
          (route.paths ?? []).some((routePath) => pathMatches(routePath, path)) &&
          headersMatch(route, headers),
      )
      .map((route) => ({ service, route })),
  );
  candidates.sort(
    (a, b) => Object.keys(b.route.headers ?? {}).length - Object.keys(a.route.headers ?? {}).length,
  );
  return candidates[0];
}
