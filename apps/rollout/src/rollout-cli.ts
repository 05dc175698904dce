import { readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { KongConfigError, parsePercent } from './kong-config';
import { kubernetesRouteTarget } from './kubernetes-route-target';
import { Rollout, RolloutExit, type ProgressivePlan } from './rollout';
import {
  kongRolloutTarget,
  ROLLOUT_TARGETS,
  type RolloutTarget,
  type RolloutTargetName,
} from './rollout-target';
import { scrapeServiceMetrics } from './service-metrics';

interface CliOutput {
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
}

const ROLLOUT_USAGE = `usage:
  npm run rollout -- set <P> [--dry-run]
  npm run rollout -- progressive --steps <P,P,...> --interval <duration> [--dry-run]
      [--max-error-rate <percent>] [--max-p99 <duration>] [--min-requests <n>]
      [--v2-metrics-url <url>]
common flags: [--target kong|kubernetes] [--timeout <duration>]
  kong (compose, the default): [--admin-url <url>] [--env-file <path>] [--kong-status-url <url>]
  kubernetes (the aware Helm chart): [--kube-api-url <url>] [--namespace <ns>] [--release <name>]

P is the percent of user traffic to user-v1 (integer 0-100); user-v2 gets the rest.
kong: the config is rendered by kong/render.sh from the environment, over the variables of
--env-file (use the gateway's .env, so API_CONSUMERS and the rest match the running gateway), and
loaded with POST /config.
kubernetes: the weights of HTTPRoute <release>-users are patched through the API server (run
kubectl proxy for its credentials, or set KUBE_TOKEN); the pinning rules stay as they are.
Durations: 500ms, 30s, 5m. Defaults: --admin-url http://127.0.0.1:8001,
--kube-api-url http://127.0.0.1:8001 (kubectl proxy), --namespace default, --release aware, --timeout 10s,
--max-error-rate 1, --max-p99 1000ms, --min-requests 50, --v2-metrics-url http://127.0.0.1:3002/metrics,
--kong-status-url http://127.0.0.1:8100/metrics.
A step passes when user-v2 served at least --min-requests requests in it (not required at P=100)
and its 5xx share and p99 are within bounds; with the kong target also when the 5xx Kong answered
itself on the user routes are within --max-error-rate and Kong saw user-v2's target healthy before
the first step and every 10 s.
exit codes: 0 done, 1 failed, 2 usage or config refused by the renderer, 3 Admin API unreachable,
4 Admin API refused, 5 breach: rolled back, 6 user-v2 metrics or Kong status unreadable: rolled back`;

class UsageError extends Error {}

/** parseArgs's errors for unknown or malformed flags (by code: they come from Node's realm). */
function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function parseDurationMs(value: string, flag: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (!match)
    throw new UsageError(`${flag} must be a duration like 500ms, 30s or 5m, got "${value}"`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Number(match[1]) * unit;
}

function parseNumber(value: string, flag: string, max: number): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    throw new UsageError(`${flag} must be a number from 0 to ${max}, got "${value}"`);
  }
  return parsed;
}

function parseUrl(value: string, flag: string): string {
  try {
    return new URL(value).toString();
  } catch {
    throw new UsageError(`${flag} must be a URL, got "${value}"`);
  }
}

/** The variables of a dotenv file (compose's .env); values already in the environment win. */
function readEnvFile(path: string): NodeJS.ProcessEnv {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--env-file ${path} cannot be read: ${(error as Error).message}`);
  }
  return parseEnv(content);
}

interface TargetFlags {
  target: string;
  'admin-url': string;
  'kong-status-url': string;
  'env-file'?: string;
  'kube-api-url': string;
  namespace: string;
  release: string;
}

function targetOf(flags: TargetFlags, env: NodeJS.ProcessEnv, timeoutMs: number): RolloutTarget {
  const name = flags.target as RolloutTargetName;
  if (!ROLLOUT_TARGETS.includes(name)) {
    throw new UsageError(
      `--target must be one of ${ROLLOUT_TARGETS.join(', ')}, got "${flags.target}"`,
    );
  }
  if (name === 'kubernetes') {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.release)) {
      throw new UsageError(`--release must be a Helm release name, got "${flags.release}"`);
    }
    return kubernetesRouteTarget({
      apiUrl: parseUrl(flags['kube-api-url'], '--kube-api-url'),
      namespace: flags.namespace,
      route: `${flags.release}-users`,
      userV1Service: `${flags.release}-user-v1`,
      userV2Service: `${flags.release}-user-v2`,
      timeoutMs,
      token: env.KUBE_TOKEN || undefined,
    });
  }
  const gatewayEnv =
    flags['env-file'] === undefined ? env : { ...readEnvFile(flags['env-file']), ...env };
  return kongRolloutTarget(
    parseUrl(flags['admin-url'], '--admin-url'),
    parseUrl(flags['kong-status-url'], '--kong-status-url'),
    timeoutMs,
    gatewayEnv,
  );
}

/** `rollout <set|progressive> …`; answers the process exit code. */
export async function runRolloutCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: CliOutput,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        'admin-url': { type: 'string', default: 'http://127.0.0.1:8001' },
        timeout: { type: 'string', default: '10s' },
        steps: { type: 'string' },
        interval: { type: 'string' },
        'max-error-rate': { type: 'string', default: '1' },
        'max-p99': { type: 'string', default: '1000ms' },
        'min-requests': { type: 'string', default: '50' },
        'v2-metrics-url': { type: 'string', default: 'http://127.0.0.1:3002/metrics' },
        'kong-status-url': { type: 'string', default: 'http://127.0.0.1:8100/metrics' },
        'env-file': { type: 'string' },
        target: { type: 'string', default: 'kong' },
        'kube-api-url': { type: 'string', default: 'http://127.0.0.1:8001' },
        namespace: { type: 'string', default: 'default' },
        release: { type: 'string', default: 'aware' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      output.log(ROLLOUT_USAGE);
      return RolloutExit.Done;
    }
    const timeoutMs = parseDurationMs(values.timeout, '--timeout');
    const metricsUrl = parseUrl(values['v2-metrics-url'], '--v2-metrics-url');
    const rollout = new Rollout({
      ...targetOf(values, env, timeoutMs),
      scrapeV2Metrics: () => scrapeServiceMetrics(metricsUrl, timeoutMs),
      sleep,
      log: output.log,
      warn: output.warn,
    });

    const [command, ...rest] = positionals;
    if (command === 'set') {
      if (rest.length !== 1) throw new UsageError('set takes exactly one P, e.g. rollout set 30');
      return await rollout.set(parsePercent(rest[0]), values['dry-run']);
    }
    if (command === 'progressive') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      if (!values.steps || !values.interval) {
        throw new UsageError('progressive needs --steps and --interval');
      }
      const plan: ProgressivePlan = {
        steps: values.steps.split(',').map((step) => parsePercent(step.trim(), '--steps entry')),
        intervalMs: parseDurationMs(values.interval, '--interval'),
        thresholds: {
          maxErrorRate: parseNumber(values['max-error-rate'], '--max-error-rate', 100) / 100,
          maxP99Ms: parseDurationMs(values['max-p99'], '--max-p99'),
          minRequests: parseNumber(
            values['min-requests'],
            '--min-requests',
            Number.MAX_SAFE_INTEGER,
          ),
        },
      };
      return await rollout.progressive(plan, values['dry-run']);
    }
    throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof KongConfigError ||
      isParseArgsError(error)
    ) {
      output.warn(`rollout: ${error.message}\n\n${ROLLOUT_USAGE}`);
      return RolloutExit.Usage;
    }
    throw error;
  }
}
