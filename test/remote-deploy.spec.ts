/**
 * docker/deploy/remote-deploy.sh against a stand-in of the EC2 host: a temp directory as
 * /opt/aware, and `docker` and `curl` on PATH that record their calls; `curl` answers like Kong
 * (Admin API targets, proxied requests) and fails the health checks for a chosen release.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../docker/deploy/remote-deploy.sh');
const REGISTRY = 'ghcr.io/acme/aware';

/** Records each call as one line: the IMAGE_TAG and P_VALUE it saw, then its arguments. */
const DOCKER = `#!/usr/bin/env bash
if [ "$1" = login ]; then cat >"$STAND_IN/login-token"; fi
printf '%s\\n' "docker IMAGE_TAG=\${IMAGE_TAG:-} P_VALUE=\${P_VALUE:-} $*" >>"$STAND_IN/calls"
if [ "$1 \${*: -1}" = "compose --remove-orphans" ]; then printf '%s' "$IMAGE_TAG" >"$STAND_IN/running"; fi
exit 0
`;

/** Kong's Admin API and proxy, answering for whichever tag \`docker compose up\` last started. */
const CURL = `#!/usr/bin/env bash
printf '%s\\n' "curl $*" >>"$STAND_IN/calls"
url="\${*: -1}"
pin=""
for arg in "$@"; do case "$arg" in "X-User-Service-Version: "*) pin="\${arg#*: }" ;; esac; done
running="$(cat "$STAND_IN/running" 2>/dev/null)"
case "$url" in
  */upstreams/user-service/targets)
    [ -f "$STAND_IN/live-weights" ] || exit 7
    read -r v1 v2 <"$STAND_IN/live-weights"
    printf '{"data":[{"upstream":{"id":"u"},"weight":%s,"target":"user-v1:3000"},{"target":"user-v2:3000","upstream":{"id":"u"},"weight":%s}],"next":null}' "$v1" "$v2"
    ;;
  *)
    if [ "$running" = "$FAIL_HEALTH_FOR" ]; then printf 'HTTP/1.1 503 Service Unavailable\\r\\n\\r\\n'; exit 0; fi
    case "$url" in
      */orders*) printf 'HTTP/1.1 200 OK\\r\\nX-Service-Version: order/1.0.0\\r\\n\\r\\n' ;;
      *) printf 'HTTP/1.1 404 Not Found\\r\\nX-Service-Version: user-%s/1.0.0\\r\\n\\r\\n' "$pin" ;;
    esac
    ;;
esac
`;

interface Host {
  home: string;
  standIn: string;
  calls(): string[];
  current(): string;
  release(sha: string): void;
  deploy(sha: string, failHealthFor?: string): number;
}

function standInHost(): Host {
  const root = mkdtempSync(join(tmpdir(), 'aware-deploy-'));
  const home = join(root, 'opt-aware');
  const standIn = join(root, 'stand-in');
  const bin = join(standIn, 'bin');
  mkdirSync(join(home, 'releases'), { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'docker'), DOCKER);
  writeFileSync(join(bin, 'curl'), CURL);
  chmodSync(join(bin, 'docker'), 0o755);
  chmodSync(join(bin, 'curl'), 0o755);
  writeFileSync(
    join(home, '.env'),
    'P_VALUE=100\nAPI_CONSUMERS=ops:0123456789abcdef0123456789abcdef,other:ffffffffffffffffffffffff\n',
  );
  return {
    home,
    standIn,
    calls: () => readFileSync(join(standIn, 'calls'), 'utf8').trim().split('\n'),
    current: () => readlinkSync(join(home, 'current')),
    release(sha) {
      mkdirSync(join(home, 'releases', sha, 'docker', 'rabbitmq'), { recursive: true });
      mkdirSync(join(home, 'releases', sha, 'kong'), { recursive: true });
      writeFileSync(join(home, 'releases', sha, 'docker-compose.yml'), `# compose of ${sha}\n`);
      writeFileSync(
        join(home, 'releases', sha, 'kong', 'kong.yaml.tmpl'),
        `# template of ${sha}\n`,
      );
    },
    deploy(sha, failHealthFor = '') {
      writeFileSync(join(standIn, 'calls'), '');
      const result = spawnSync('bash', [SCRIPT, REGISTRY, sha, 'deployer'], {
        input: 'pull-only-token\n',
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          STAND_IN: standIn,
          FAIL_HEALTH_FOR: failHealthFor,
          AWARE_HOME: home,
          DEPLOY_CHECK_ATTEMPTS: '2',
          DEPLOY_CHECK_INTERVAL: '0',
        },
      });
      if (result.status !== 0) process.stderr.write(result.stderr);
      return result.status ?? -1;
    },
  };
}

describe('remote-deploy.sh (EC2 deploy and rollback)', () => {
  let host: Host;
  beforeEach(() => {
    host = standInHost();
  });
  afterEach(() => rmSync(resolve(host.home, '..'), { recursive: true, force: true }));

  const composeCalls = (what: string): string[] =>
    host.calls().filter((call) => call.includes(' compose ') && call.includes(` ${what}`));

  it('brings up the release from its own directory and moves current to it when healthy', () => {
    host.release('aaa111');
    expect(host.deploy('aaa111')).toBe(0);
    expect(host.current()).toBe('releases/aaa111');
    const [up] = composeCalls('up -d');
    expect(up).toContain('IMAGE_TAG=aaa111');
    expect(up).toContain(`--file ${host.home}/releases/aaa111/docker-compose.yml`);
    expect(up).toContain(`--project-directory ${host.home}/releases/aaa111`);
    expect(up).toContain('--project-name aware');
    expect(up).toContain(`--env-file ${host.home}/.env`);
    // The token came over stdin and the login ends with the run.
    expect(readFileSync(join(host.standIn, 'login-token'), 'utf8')).toBe('pull-only-token\n');
    expect(host.calls()).toContain(
      'docker IMAGE_TAG= P_VALUE= login ghcr.io -u deployer --password-stdin',
    );
    expect(host.calls().at(-1)).toBe('docker IMAGE_TAG= P_VALUE= logout ghcr.io');
  });

  it('checks health through the gateway: an authenticated read and a request pinned to each version', () => {
    host.release('aaa111');
    expect(host.deploy('aaa111')).toBe(0);
    const proxied = host.calls().filter((call) => call.includes('http://127.0.0.1:8000/'));
    expect(
      proxied.some(
        (call) =>
          call.includes('apikey: 0123456789abcdef0123456789abcdef') && call.includes('/orders'),
      ),
    ).toBe(true);
    expect(proxied.some((call) => call.includes('X-User-Service-Version: v1'))).toBe(true);
    expect(proxied.some((call) => call.includes('X-User-Service-Version: v2'))).toBe(true);
  });

  it("reads the live P from Kong's Admin API before the deploy and renders with it", () => {
    host.release('aaa111');
    writeFileSync(join(host.standIn, 'live-weights'), '30 70\n');
    expect(host.deploy('aaa111')).toBe(0);
    const calls = host.calls();
    const read = calls.findIndex((call) => call.includes('/upstreams/user-service/targets'));
    const up = calls.findIndex((call) => call.includes(' compose ') && call.includes(' up -d'));
    expect(read).toBeGreaterThanOrEqual(0);
    expect(read).toBeLessThan(up);
    expect(calls[up]).toContain('P_VALUE=30');
  });

  it('on failed health puts current back and brings up the previous compose file, configs and images', () => {
    host.release('aaa111');
    expect(host.deploy('aaa111')).toBe(0);
    writeFileSync(join(host.standIn, 'live-weights'), '60 40\n');
    host.release('bbb222');
    expect(host.deploy('bbb222', 'bbb222')).toBe(1);
    expect(host.current()).toBe('releases/aaa111');
    const ups = composeCalls('up -d');
    expect(ups).toHaveLength(2);
    expect(ups[0]).toContain('IMAGE_TAG=bbb222');
    expect(ups[0]).toContain(`--file ${host.home}/releases/bbb222/docker-compose.yml`);
    expect(ups[1]).toContain('IMAGE_TAG=aaa111');
    expect(ups[1]).toContain(`--file ${host.home}/releases/aaa111/docker-compose.yml`);
    expect(ups[1]).toContain(`--project-directory ${host.home}/releases/aaa111`);
    // The previous images are pulled again by their tag, and the live split is kept both times.
    expect(composeCalls('pull').at(-1)).toContain('IMAGE_TAG=aaa111');
    for (const up of ups) expect(up).toContain('P_VALUE=60');
    // Both releases stay side by side.
    expect(readFileSync(join(host.home, 'releases/aaa111/kong/kong.yaml.tmpl'), 'utf8')).toContain(
      'aaa111',
    );
    expect(readFileSync(join(host.home, 'releases/bbb222/kong/kong.yaml.tmpl'), 'utf8')).toContain(
      'bbb222',
    );
  });

  it('fails without a previous release to go back to, and takes P from .env when Kong is not up', () => {
    host.release('aaa111');
    expect(host.deploy('aaa111', 'aaa111')).toBe(1);
    expect(composeCalls('up -d')).toHaveLength(1);
    expect(composeCalls('up -d')[0]).toContain('P_VALUE=100');
  });
});
