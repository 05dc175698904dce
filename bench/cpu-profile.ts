/**
 * `--cpu-prof`: where each service spends its CPU during the run. Node writes one V8 profile per
 * process at exit; this reads them and tells self time by function and by where the code lives
 * (this project, a package, Node itself), so a person can see whether CPU is the question.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

interface CpuShare {
  name: string;
  ms: number;
  share: number;
}

interface ServiceCpu {
  service: string;
  /** Wall time the profile covers. */
  profiledMs: number;
  /** CPU time sampled (everything but the idle node). */
  busyMs: number;
  byOrigin: CpuShare[];
  topFunctions: CpuShare[];
}

const TOP_FUNCTIONS = 15;
const TOP_ORIGINS = 10;
/** V8's pseudo-frames that are not work. */
const IDLE_FRAMES = new Set(['(idle)', '(program)']);

/** Where code lives: a package, this project, or Node and V8 themselves. */
export function originOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:') || url === '') return 'node/v8';
  if (/\/dist\/apps\//.test(url)) return 'aware (bundled)';
  return 'other';
}

function shares(totals: Map<string, number>, busyMs: number, limit?: number): CpuShare[] {
  return [...totals]
    .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
}

export function summariseProfile(service: string, profile: CpuProfile): ServiceCpu {
  const samples = profile.samples?.length ?? 0;
  const profiledMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = samples > 0 ? profiledMs / samples : 0;
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyMs = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const ms = (node.hitCount ?? 0) * msPerSample;
    if (ms === 0 || IDLE_FRAMES.has(functionName)) continue;
    busyMs += ms;
    const origin = originOf(url, functionName);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
    const where = url
      ? ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  return {
    service,
    profiledMs,
    busyMs,
    byOrigin: shares(byOrigin, busyMs, TOP_ORIGINS),
    topFunctions: shares(byFunction, busyMs, TOP_FUNCTIONS),
  };
}

/** Every profile under `dir/<service>/`, one summary per service (several files are merged). */
export function readProfiles(dir: string, services: readonly string[]): ServiceCpu[] {
  return services.flatMap((service) => {
    const serviceDir = join(dir, service);
    let files: string[];
    try {
      files = readdirSync(serviceDir).filter((file) => file.endsWith('.cpuprofile'));
    } catch {
      return [];
    }
    return files.map((file) =>
      summariseProfile(
        service,
        JSON.parse(readFileSync(join(serviceDir, file), 'utf8')) as CpuProfile,
      ),
    );
  });
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

export function cpuMarkdown(title: string, summaries: readonly ServiceCpu[]): string {
  const lines = [`### CPU profile — ${title}`, ''];
  for (const summary of summaries) {
    lines.push(
      `#### ${summary.service}: ${(summary.busyMs / 1000).toFixed(1)} s of CPU in ` +
        `${(summary.profiledMs / 1000).toFixed(1)} s (${percent(summary.busyMs / Math.max(summary.profiledMs, 1))} of one core)`,
      '',
      '| where | CPU | share |',
      '| --- | --: | --: |',
      ...summary.byOrigin.map(
        (row) => `| ${row.name} | ${(row.ms / 1000).toFixed(2)} s | ${percent(row.share)} |`,
      ),
      '',
      '| function (self time) | CPU | share |',
      '| --- | --: | --: |',
      ...summary.topFunctions.map(
        (row) =>
          `| \`${row.name.replace(/\|/g, '\\|')}\` | ${(row.ms / 1000).toFixed(2)} s | ${percent(row.share)} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}
