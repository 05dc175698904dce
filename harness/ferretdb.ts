import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitForMongo, type MongoHandle } from './mongo';
import { REPOSITORY_ROOT } from './repository';
import { freePort, InfraError, log, runCommand, signalProcess, tail, terminate } from './util';

const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** FerretDB v1.24's go.mod says `go 1.24`; Go ≥ 1.21 can fetch that toolchain by itself. */
const GO_REQUIRED: GoVersion = [1, 24];
const GO_SELF_UPGRADING: GoVersion = [1, 21];

type GoVersion = readonly [number, number];

interface GoToolchain {
  path: string;
  version: GoVersion;
  label: string;
}

const ferretDbBinary = join(REPOSITORY_ROOT, '.cache', 'ferretdb', 'bin', 'ferretdb');

/** Go on PATH, plus the official install location, which CI shells often lack on PATH. */
function goCandidates(): string[] {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir.length > 0)
    .map((dir) => join(dir, 'go'));
  return [...new Set([...onPath, '/usr/local/go/bin/go'])].filter((path) => existsSync(path));
}

async function goVersion(path: string): Promise<GoToolchain | undefined> {
  const result = await runCommand(path, ['version'], { timeoutMs: 10_000 });
  const match = /go(\d+)\.(\d+)(\S*)/.exec(result.stdout);
  if (result.code !== 0 || !match) return undefined;
  return { path, version: [Number(match[1]), Number(match[2])], label: match[0] };
}

function atLeast(version: GoVersion, minimum: GoVersion): boolean {
  return version[0] > minimum[0] || (version[0] === minimum[0] && version[1] >= minimum[1]);
}

/** The newest Go found; it must be able to build FerretDB, possibly by fetching a toolchain. */
async function findGo(why: string, candidates = goCandidates()): Promise<GoToolchain> {
  const found = (await Promise.all(candidates.map(goVersion))).filter(
    (go): go is GoToolchain => go !== undefined,
  );
  found.sort((a, b) => (atLeast(a.version, b.version) ? -1 : 1));
  const best = found[0];
  if (!best) {
    throw new InfraError(
      `Go toolchain not found (looked on PATH and in /usr/local/go/bin): needed to build FerretDB ` +
        `${FERRETDB_VERSION} because ${why}. Install Go ≥ 1.24 (https://go.dev/dl/), or start a ` +
        `MongoDB and point MONGO_URI at it.`,
    );
  }
  if (!atLeast(best.version, GO_SELF_UPGRADING)) {
    throw new InfraError(
      `${best.label} at ${best.path} is too old to build FerretDB ${FERRETDB_VERSION} (needs Go ≥ ` +
        `1.24), and ${why}. Install a newer Go (https://go.dev/dl/) or point MONGO_URI at a MongoDB.`,
    );
  }
  return best;
}

function goEnvironment(go: GoToolchain): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Pure-Go build (FerretDB's SQLite is modernc.org/sqlite): no C compiler needed.
    CGO_ENABLED: '0',
    // Go 1.21–1.23 fetch the go1.24 toolchain FerretDB asks for from the module proxy.
    ...(atLeast(go.version, GO_REQUIRED) ? {} : { GOTOOLCHAIN: 'auto' }),
  };
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, 0o644);
  }
}

async function goOrFail(
  go: GoToolchain,
  args: string[],
  cwd: string,
  what: string,
): Promise<string> {
  const result = await runCommand(go.path, args, { cwd, env: goEnvironment(go) });
  if (result.code !== 0) {
    throw new InfraError(
      `${what} failed (${go.label}, exit ${result.code}):\n${tail(result.stderr || result.stdout)}`,
    );
  }
  return result.stdout;
}

/**
 * `go install …/ferretdb@v1.24.2` builds a binary that panics at start because the module's
 * build/version/version.txt is empty; building from a copy with that file filled in works.
 */
async function buildFerretDb(go: GoToolchain): Promise<void> {
  const started = Date.now();
  log(`Building FerretDB ${FERRETDB_VERSION} with ${go.label} (once; 1–2 minutes when cold)…`);
  const work = await mkdtemp(join(tmpdir(), 'ferretdb-build-'));
  const partial = `${ferretDbBinary}.${process.pid}.partial`;
  // An interrupted build (Ctrl-C) must not leave a copy of the sources behind.
  const removeLeftovers = (): void => {
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { force: true });
  };
  process.once('exit', removeLeftovers);
  try {
    const download = await goOrFail(
      go,
      ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
      work,
      `Downloading ${FERRETDB_MODULE}@${FERRETDB_VERSION} from the Go module proxy`,
    );
    const { Dir: moduleDir } = JSON.parse(download) as { Dir?: string };
    if (!moduleDir) throw new InfraError(`go mod download gave no directory:\n${download}`);
    const source = join(work, 'src');
    await cp(moduleDir, source, { recursive: true });
    await makeWritable(source);
    await writeFile(join(source, 'build', 'version', 'version.txt'), FERRETDB_VERSION);
    // Built beside the final path and renamed, so a concurrent run never sees half a binary.
    await mkdir(join(ferretDbBinary, '..'), { recursive: true });
    await goOrFail(go, ['build', '-o', partial, './cmd/ferretdb'], source, 'Building FerretDB');
    await rename(partial, ferretDbBinary);
    log(`Built ${ferretDbBinary} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    process.removeListener('exit', removeLeftovers);
    removeLeftovers();
  }
}

async function cachedBinaryIsCurrent(): Promise<boolean> {
  if (!existsSync(ferretDbBinary)) return false;
  const result = await runCommand(ferretDbBinary, ['--version'], { timeoutMs: 10_000 });
  return result.code === 0 && result.stdout.includes(FERRETDB_VERSION);
}

async function ensureFerretDbBinary(why: string): Promise<void> {
  if (await cachedBinaryIsCurrent()) return;
  await buildFerretDb(await findGo(why));
}

/** Where FerretDB keeps the data: files in a throwaway directory, or a PostgreSQL database. */
export type FerretDbBackend = { kind: 'sqlite' } | { kind: 'postgresql'; url: string };

interface FerretDbOptions {
  backend?: FerretDbBackend;
}

function backendArgs(backend: FerretDbBackend, dataDir: string): string[] {
  if (backend.kind === 'postgresql') {
    return ['--handler=postgresql', `--postgresql-url=${backend.url}`];
  }
  return ['--handler=sqlite', `--sqlite-url=file:${join(dataDir, 'sqlite')}/`];
}

/**
 * Starts a throwaway FerretDB on a free port: SQLite in a temp dir by default, or PostgreSQL in a
 * database the caller created (and drops). `why` explains in error messages why an embedded
 * server was needed at all.
 */
export async function startFerretDb(
  why: string,
  { backend = { kind: 'sqlite' } }: FerretDbOptions = {},
): Promise<MongoHandle> {
  await ensureFerretDbBinary(why);
  const dataDir = await mkdtemp(join(tmpdir(), 'ferretdb-data-'));
  await mkdir(join(dataDir, 'sqlite'));
  const port = await freePort();
  const args = [
    ...backendArgs(backend, dataDir),
    `--state-dir=${dataDir}`,
    '--telemetry=disable',
    `--listen-addr=127.0.0.1:${port}`,
    // The debug HTTP listener defaults to a fixed port (8088) that another FerretDB may hold.
    '--debug-addr=-',
    '--log-level=error',
  ];
  // Own process group: a Ctrl-C aimed at Jest or the dev apps must not stop the database first.
  const child = spawn(ferretDbBinary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  // Last resort if this process exits without calling stop(): no orphaned server, no temp files.
  const killOnExit = (): void => {
    signalProcess(child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  const uri = `mongodb://127.0.0.1:${port}/`;
  const notReady = await waitForMongo(uri, 30_000, () => child.exitCode !== null);
  if (notReady) {
    process.removeListener('exit', killOnExit);
    killOnExit();
    throw new InfraError(
      `FerretDB did not start on 127.0.0.1:${port} (${notReady}). Its output:\n${tail(output)}`,
    );
  }
  // Errors matter while debugging tests, so show them (at warn level every endSessions is logged).
  child.stdout.removeListener('data', collect);
  child.stderr.removeListener('data', collect);
  child.stdout.on('data', (chunk: Buffer) => process.stderr.write(prefixLines(chunk)));
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(prefixLines(chunk)));

  return {
    uri,
    kind: `FerretDB ${FERRETDB_VERSION} (${backend.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, throwaway, pid ${child.pid})`,
    pid: child.pid,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await terminate(child, 5_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function prefixLines(chunk: Buffer): string {
  return chunk
    .toString()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => `[ferretdb] ${line}\n`)
    .join('');
}
