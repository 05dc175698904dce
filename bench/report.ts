/** The bench's results: their shape, the targets, and the JSON, Markdown and SVG renderings. */
import type { OperationCommands } from './db-commands';
import type { Throughput } from './load';
import type { FanOutResult, LagSummary } from './sync';

/** How results and tables name an engine. */
export function backendLabel(backend: string): string {
  return backend === 'documentdb' ? 'DocumentDB (FerretDB 2.5)' : `FerretDB 1.24 ${backend}`;
}

export interface OperationResult {
  name: string;
  write: boolean;
  service: Throughput;
  floor: Throughput;
}

export interface CommandsPerRun {
  commands: number;
  writes: number;
  ms: number;
}

export interface OperationCommandsResult {
  /** The bench phase, e.g. `PUT /users/{id}`. */
  phase: string;
  /** Requests answered by the measured service during the phase. */
  requests: number;
  /** Per request, in the request's own context. */
  requestPath?: CommandsPerRun;
  /** Per request: relay runs, sweeps and work left running after responses. */
  background?: CommandsPerRun;
  /** Per consumed event, in the order service. */
  consumer?: CommandsPerRun;
  operations: OperationCommands[];
}

export interface LagResult extends LagSummary {
  offeredPerSecond: number;
  achievedPerSecond: number;
  errors: number;
  /** PUTs whose version never reached the order within the drain timeout. */
  missing: number;
}

export interface FanOutRow {
  service: FanOutResult;
  /** One updateMany of the same orders on the floor database. */
  floorSeconds: number;
}

interface Target {
  what: string;
  met: boolean;
  detail: string;
}

export interface BenchResult {
  label: string;
  backend: string;
  engine: string;
  startedAt: string;
  commit: string;
  machine: string;
  /** CPU cores of the machine: the CPU time a second holds. */
  cores: number;
  quick: boolean;
  operations: OperationResult[];
  lag: LagResult[];
  fanOut: FanOutRow[];
  nothingLost: { users: number; missing: number };
  commands: OperationCommandsResult[];
  /** Phases that broke off, with why: the rest of the run goes on and is reported. */
  failures: { phase: string; error: string }[];
  targets: Target[];
}

const WRITE_RATIO_TARGET = 0.25;
const USER_WRITE_COMMANDS_TARGET = 3;
/** Sync lag p99 bound at each offered PUT rate. */
const LAG_TARGETS = [
  { perSecond: 20, p99Ms: 100 },
  { perSecond: 100, p99Ms: 250 },
];
/** The order listing: share of the floor's rate and its p99. */
const LISTING_TARGET = { operation: 'GET /orders?status', ratio: 0.5, p99Ms: 100 };
const FAN_OUT_TARGET = { orders: 10_000, seconds: 2 };

function ratio(operation: OperationResult): number {
  return operation.floor.rate > 0 ? operation.service.rate / operation.floor.rate : Number.NaN;
}

export function evaluateTargets(result: Omit<BenchResult, 'targets'>): Target[] {
  const targets: Target[] = [];
  for (const operation of result.operations.filter((each) => each.write)) {
    const share = ratio(operation);
    targets.push({
      what: `${operation.name} ≥ ${WRITE_RATIO_TARGET * 100} % of the floor`,
      met: share >= WRITE_RATIO_TARGET,
      detail: `${(share * 100).toFixed(1)} %`,
    });
  }
  for (const phase of ['POST /users', 'PUT /users/{id}']) {
    const perRequest = result.commands.find((each) => each.phase === phase)?.requestPath;
    targets.push({
      what: `${phase} ≤ ${USER_WRITE_COMMANDS_TARGET} DB commands on the request path`,
      met: perRequest !== undefined && perRequest.commands <= USER_WRITE_COMMANDS_TARGET,
      detail: perRequest ? `${perRequest.commands.toFixed(1)} per request` : 'not measured',
    });
  }
  const listing = result.operations.find((each) => each.name.startsWith(LISTING_TARGET.operation));
  targets.push({
    what:
      `${LISTING_TARGET.operation} ≥ ${LISTING_TARGET.ratio * 100} % of the floor ` +
      `with p99 ≤ ${LISTING_TARGET.p99Ms} ms`,
    met:
      listing !== undefined &&
      ratio(listing) >= LISTING_TARGET.ratio &&
      listing.service.p99Ms <= LISTING_TARGET.p99Ms,
    detail: listing
      ? `${(ratio(listing) * 100).toFixed(1)} %, p99 ${ms(listing.service.p99Ms)}`
      : 'not measured',
  });
  for (const bound of LAG_TARGETS) {
    const lag = result.lag.find((each) => each.offeredPerSecond === bound.perSecond);
    targets.push({
      what: `sync lag p99 ≤ ${bound.p99Ms} ms at ${bound.perSecond} PUT/s`,
      met:
        lag !== undefined &&
        lag.p99Ms <= bound.p99Ms &&
        lag.achievedPerSecond >= bound.perSecond * 0.9,
      detail: lag
        ? `p99 ${ms(lag.p99Ms)} at ${lag.achievedPerSecond.toFixed(1)} PUT/s achieved`
        : 'not measured',
    });
  }
  const fanOut = result.fanOut.find((each) => each.service.orders === FAN_OUT_TARGET.orders);
  targets.push({
    what: `fan-out of ${FAN_OUT_TARGET.orders.toLocaleString('en')} orders ≤ ${FAN_OUT_TARGET.seconds} s`,
    met:
      fanOut !== undefined &&
      fanOut.service.completed &&
      fanOut.service.seconds <= FAN_OUT_TARGET.seconds,
    detail: fanOut ? fanOutText(fanOut.service) : 'not measured',
  });
  const missing =
    result.nothingLost.missing + result.lag.reduce((sum, each) => sum + each.missing, 0);
  targets.push({
    what: 'nothing lost (every PUT reached its orders)',
    met: missing === 0,
    detail: `${missing} missing`,
  });
  const errors =
    result.operations.reduce((sum, each) => sum + each.service.errors, 0) +
    result.lag.reduce((sum, each) => sum + each.errors, 0);
  targets.push({ what: 'zero errors', met: errors === 0, detail: `${errors} errors` });
  targets.push({
    what: 'every phase ran to its end',
    met: result.failures.length === 0,
    detail: result.failures.map((failure) => failure.phase).join(', ') || 'all did',
  });
  return targets;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function num(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function fanOutText(fanOut: FanOutResult): string {
  if (fanOut.completed) return `${num(fanOut.seconds, 2)} s`;
  if (!Number.isFinite(fanOut.seconds))
    return 'not measured: the engine did not keep up with setting it up';
  return (
    `not done after ${num(fanOut.seconds, 0)} s (${fanOut.updated.toLocaleString('en')} updated; ` +
    `about ${num(fanOut.estimatedSeconds, 0)} s estimated)`
  );
}

/** The processes that store data: what a request costs the database engine. */
const ENGINE_PROCESSES = ['FerretDB', 'PostgreSQL'];
/** Column order of the CPU table; groups a target lacks are left out. */
const CPU_COLUMNS = [
  'user-v1',
  'user-v2',
  'order',
  'floor',
  ...ENGINE_PROCESSES,
  'RabbitMQ',
  'bench (load)',
];

function cpuTotal(perRequest: Record<string, number>): number {
  return Object.values(perRequest).reduce((sum, each) => sum + each, 0);
}

/**
 * Where each answered request's CPU went, for the service and for the floor, and the rate the
 * machine's cores would allow if the engine were the only thing running: when even that is
 * below a target, the engine makes the target impossible here.
 */
function cpuTable(result: BenchResult): string[] {
  const measured = result.operations.filter((each) => each.service.cpuPerRequestMs);
  if (measured.length === 0) return [];
  const columns = CPU_COLUMNS.filter((name) =>
    measured.some(
      (each) =>
        each.service.cpuPerRequestMs?.[name] !== undefined ||
        each.floor.cpuPerRequestMs?.[name] !== undefined,
    ),
  );
  const lines = [
    '',
    `CPU per answered request, in ms, by process (${result.cores} cores: ${result.cores * 1000} ms of CPU a second). ` +
      '"engine alone allows": the rate the cores would carry if FerretDB and PostgreSQL used all of them.',
    '',
    `| operation | run | ${columns.join(' | ')} | total | engine alone allows |`,
    `| --- | --- | ${columns.map(() => '--:').join(' | ')} | --: | --: |`,
  ];
  for (const operation of measured) {
    for (const [run, throughput] of [
      ['service', operation.service],
      ['floor', operation.floor],
    ] as const) {
      const perRequest = throughput.cpuPerRequestMs;
      if (!perRequest) continue;
      const engine = ENGINE_PROCESSES.reduce((sum, name) => sum + (perRequest[name] ?? 0), 0);
      const cells = columns.map((name) => num(perRequest[name] ?? Number.NaN, 2));
      lines.push(
        `| ${operation.name} | ${run} | ${cells.join(' | ')} | ${num(cpuTotal(perRequest), 2)} | ` +
          `${engine > 0 ? `${num((result.cores * 1000) / engine, 0)} req/s` : '—'} |`,
      );
    }
  }
  return lines;
}

function perRun(value: CommandsPerRun | undefined): string {
  return value ? `${num(value.commands)} (${num(value.writes)} writes, ${num(value.ms)} ms)` : '—';
}

export function toMarkdown(result: BenchResult): string {
  const lines = [
    `### ${result.label} — ${backendLabel(result.backend)}`,
    '',
    `${result.engine}; ${result.machine}; commit ${result.commit}; ${result.startedAt}` +
      `${result.quick ? '; QUICK run (short phases)' : ''}.`,
    '',
    '| operation | service req/s | p50 | p99 | errors | floor req/s | ratio to floor | DB commands per request on the request path | in the background per request |',
    '| --- | --: | --: | --: | --: | --: | --: | --- | --- |',
  ];
  for (const operation of result.operations) {
    const commands = result.commands.find((each) => each.phase === operation.name);
    lines.push(
      `| ${operation.name} | ${num(operation.service.rate)} | ${ms(operation.service.p50Ms)} | ` +
        `${ms(operation.service.p99Ms)} | ${operation.service.errors} | ${num(operation.floor.rate)} | ` +
        `${num(ratio(operation), 3)} | ${perRun(commands?.requestPath)} | ${perRun(commands?.background)} |`,
    );
  }
  lines.push(...cpuTable(result));
  lines.push(
    '',
    '| sync lag (PUT answered → order updated) | achieved PUT/s | p50 | p95 | p99 | max | errors | missing | consumer DB commands per event |',
  );
  lines.push('| --- | --: | --: | --: | --: | --: | --: | --: | --- |');
  for (const lag of result.lag) {
    const commands = result.commands.find(
      (each) => each.phase === `sync lag at ${lag.offeredPerSecond} PUT/s`,
    );
    lines.push(
      `| at ${lag.offeredPerSecond} PUT/s | ${num(lag.achievedPerSecond)} | ${ms(lag.p50Ms)} | ` +
        `${ms(lag.p95Ms)} | ${ms(lag.p99Ms)} | ${ms(lag.maxMs)} | ${lag.errors} | ${lag.missing} | ` +
        `${perRun(commands?.consumer)} |`,
    );
  }
  lines.push(
    '',
    '| fan-out: one PUT, N open orders | PUT answered → all updated | floor: one updateMany |',
  );
  lines.push('| --- | --- | --: |');
  for (const row of result.fanOut) {
    lines.push(
      `| ${row.service.orders.toLocaleString('en')} orders | ${fanOutText(row.service)} | ` +
        `${num(row.floorSeconds, 2)} s |`,
    );
  }
  lines.push(
    '',
    `Nothing lost: ${result.nothingLost.users} users checked after all PUT phases, ` +
      `${result.nothingLost.missing} with orders behind their user.`,
  );
  if (result.failures.length > 0) {
    lines.push('', 'Phases that broke off (the rest of the run went on):', '');
    for (const failure of result.failures) {
      lines.push(`- ${failure.phase}: ${failure.error.split('\n')[0]}`);
    }
  }
  lines.push(
    '',
    '| target | met | measured |',
    '| --- | --- | --- |',
    ...result.targets.map(
      (target) => `| ${target.what} | ${target.met ? 'yes' : 'NO'} | ${target.detail} |`,
    ),
    '',
    '<details><summary>DB commands by operation and phase</summary>',
    '',
    '| phase | operation | runs | commands | writes | ms | commands (name collection × count) |',
    '| --- | --- | --: | --: | --: | --: | --- |',
  );
  for (const phase of result.commands) {
    for (const operation of phase.operations) {
      const list = operation.byCommand
        .map((each) => `${each.command} ${each.collection || '(db)'} × ${each.count}`)
        .join(', ');
      lines.push(
        `| ${phase.phase} | ${operation.operation} | ${operation.runs} | ${operation.commands} | ` +
          `${operation.writes} | ${num(operation.seconds * 1000, 0)} | ${list} |`,
      );
    }
  }
  lines.push('', '</details>', '');
  return lines.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Bars: each operation's rate as a share of the floor's, with the write target marked. */
export function toSvg(result: BenchResult): string {
  const rowHeight = 28;
  const left = 170;
  const width = 420;
  const top = 40;
  const height = top + result.operations.length * rowHeight + 40;
  const x = (share: number): number => left + Math.min(1, Math.max(0, share)) * width;
  const bars = result.operations.map((operation, index) => {
    const share = ratio(operation);
    const y = top + index * rowHeight;
    const label = `${(share * 100).toFixed(share < 0.1 ? 2 : 1)} %`;
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(operation.name)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${x(share) - left}" height="18" fill="${operation.write ? '#4e79a7' : '#9c9c9c'}"/>`,
      `<text x="${x(share) + 6}" y="${y + 17}">${label}</text>`,
    ].join('');
  });
  const target = x(WRITE_RATIO_TARGET);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14">${escapeXml(`${result.label}: service rate as a share of the floor (${backendLabel(result.backend)})`)}</text>`,
    ...bars,
    `<line x1="${target}" y1="${top}" x2="${target}" y2="${height - 30}" stroke="#e15759" stroke-dasharray="4 3"/>`,
    `<text x="${target + 4}" y="${height - 16}" fill="#e15759">write target ${WRITE_RATIO_TARGET * 100} %</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - 30}" stroke="black"/>`,
    `<text x="${left + width}" y="${height - 16}" text-anchor="end">100 % (floor)</text>`,
    '</svg>',
    '',
  ].join('\n');
}
