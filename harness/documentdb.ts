/**
 * FerretDB 2 on PostgreSQL 15 with the DocumentDB extension (docs/engines.md): built once from the
 * pinned source archives into a cache outside the repository, then run as a throwaway cluster and
 * FerretDB on free ports. Filters, sorts, limits and updateMany run in PostgreSQL with indexes, and
 * conditional updates lock the row, which FerretDB 1.24 does not do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import {
  appendFile,
  chmod,
  chown,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForMongo, type MongoHandle } from './mongo';
import { REPOSITORY_ROOT } from './repository';
import {
  freePort,
  InfraError,
  log,
  runCommand,
  signalProcess,
  sleep,
  tail,
  terminate,
} from './util';

const FERRETDB2_VERSION = 'v2.5.0';
const DOCUMENTDB_TAG = 'v0.106.0-ferretdb-2.5.0';
const FERRETDB2_MODULE = 'github.com/FerretDB/FerretDB/v2';
/** FerretDB 2.5.0 does not build with Go ≥ 1.25 (a file it needs is built only below 1.25). */
const FERRETDB2_TOOLCHAIN = 'go1.24.6';
const PG_MAJOR = '15';
const PG_CONFIG = `/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config`;

/** Debian 12 packages the build and the cluster need (rum and postgis are loaded from Debian). */
const DOCUMENTDB_PACKAGES = [
  `postgresql-server-dev-${PG_MAJOR}`,
  'libpcre2-dev',
  'libintelrdfpmath-dev',
  `postgresql-${PG_MAJOR}-rum`,
  `postgresql-${PG_MAJOR}-postgis-3`,
  'cmake',
  'pkg-config',
  'libkrb5-dev',
] as const;

/** The pinned archives and their sha256 (the same tags as the public repositories). */
const ARCHIVES = {
  documentdb: {
    file: `documentdb-${DOCUMENTDB_TAG}.tar.gz`,
    sha256: 'ff659f72d5307395acdc39c43a4d86c8e0a9bc623c8415149cc5ee8adf026956',
  },
  libbson: {
    file: 'mongo-c-driver-1.28.0.tar.gz',
    sha256: '65b6bdbb9c03461d525cee192944778d91ebb6643b90adc1ee8bb3a209622b33',
  },
  pgCron: {
    file: 'pg_cron-v1.6.3.tar.gz',
    sha256: '03caffaaee1ffd443099c3a01e751ccd6a0d558315b5849a0b276e99431a8646',
  },
  pgvector: {
    file: 'pgvector-v0.8.0.tar.gz',
    sha256: 'b7a4f80ece490ee76a3f80a3c72a7d42f68efd08b08774d5da12a0adf190e89d',
  },
} as const;
type ArchiveName = keyof typeof ARCHIVES;

/** The pinned source archives: AWARE_ENGINE_SRC, else engine-src beside the repository. */
function engineSourceDir(): string {
  return process.env.AWARE_ENGINE_SRC || join(REPOSITORY_ROOT, '..', 'shared', 'engine-src');
}

/** Changes whenever what is built changes, so an old build is never reused for a new one. */
const VERSION_KEY = `pg${PG_MAJOR}-documentdb-${DOCUMENTDB_TAG.slice(1)}-r1`;

/**
 * The build cache, outside the repository (Jest would crawl it). PostgreSQL runs as the
 * `postgres` user when we are root, and root's home is closed to it, so root builds under /var.
 */
export function engineCacheDir(): string {
  const base =
    process.env.AWARE_ENGINE_CACHE ||
    (process.getuid?.() === 0
      ? '/var/cache/aware-engine'
      : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aware-engine'));
  return join(base, VERSION_KEY);
}

/**
 * The built tree: a relocatable copy of Debian's PostgreSQL 15 (its binaries find share/ and
 * lib/ relative to themselves), with the extensions installed into it instead of into /usr.
 */
function layout(root: string) {
  const pg = join(root, 'pg');
  return {
    root,
    pgBin: join(pg, 'lib', 'postgresql', PG_MAJOR, 'bin'),
    pgLib: join(pg, 'lib', 'postgresql', PG_MAJOR, 'lib'),
    pgShare: join(pg, 'share', 'postgresql', PG_MAJOR),
    deps: join(root, 'deps'),
    ferretdb: join(root, 'ferretdb', 'bin', 'ferretdb'),
    complete: join(root, 'complete'),
  };
}
type Layout = ReturnType<typeof layout>;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Fails naming what is missing or altered, before any build step. */
async function verifiedArchives(): Promise<Record<ArchiveName, string>> {
  const dir = engineSourceDir();
  const paths = {} as Record<ArchiveName, string>;
  for (const [name, { file, sha256 }] of Object.entries(ARCHIVES) as [
    ArchiveName,
    (typeof ARCHIVES)[ArchiveName],
  ][]) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      throw new InfraError(
        `DocumentDB engine sources not found: ${path} is missing. Put the pinned archives ` +
          `(${Object.values(ARCHIVES)
            .map((archive) => archive.file)
            .join(', ')}) in ${dir}, or point AWARE_ENGINE_SRC at a directory holding them.`,
      );
    }
    const actual = await sha256Of(path);
    if (actual !== sha256) {
      throw new InfraError(`${path} has sha256 ${actual}, expected ${sha256}; refusing to build.`);
    }
    paths[name] = path;
  }
  return paths;
}

async function missingPackages(): Promise<string[]> {
  const result = await runCommand('dpkg-query', [
    '-W',
    '-f=${Package} ${db:Status-Status}\n',
    ...DOCUMENTDB_PACKAGES,
  ]);
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  );
  return DOCUMENTDB_PACKAGES.filter((name) => !installed.has(name));
}

/** Installs the Debian packages when missing (as root; otherwise says what to run). */
async function ensurePackages(): Promise<void> {
  const missing = await missingPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new InfraError(`The DocumentDB engine needs Debian packages: run as root\n  ${command}`);
  }
  log(`Installing ${missing.join(', ')} (Debian, once)…`);
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...missing],
  ]) {
    const result = await runCommand('apt-get', args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.code !== 0) {
      throw new InfraError(`apt-get ${args[0]} failed:\n${tail(result.stderr || result.stdout)}`);
    }
  }
}

async function runOrFail(
  command: string,
  args: readonly string[],
  what: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new InfraError(
      `${what} failed (exit ${result.code}):\n${tail(result.stderr || result.stdout)}`,
    );
  }
  return result.stdout;
}

async function unpack(archive: string, into: string): Promise<string> {
  await runOrFail('tar', ['-xzf', archive, '-C', into], `Unpacking ${archive}`);
  const [top] = (await readdir(into)).filter((name) => !name.startsWith('.'));
  return join(into, top);
}

/** libbson 1.28 (Debian 12 has 1.23) as a static, position-independent library. */
async function buildLibbson(archive: string, work: string, prefix: string): Promise<void> {
  const source = await unpack(archive, await mkdtemp(join(work, 'libbson-')));
  const build = join(source, 'cmake-build');
  await mkdir(build);
  await runOrFail(
    'cmake',
    [
      '-DENABLE_MONGOC=OFF',
      '-DENABLE_TESTS=OFF',
      '-DENABLE_EXAMPLES=OFF',
      '-DENABLE_ICU=OFF',
      '-DENABLE_MAN_PAGES=OFF',
      '-DENABLE_HTML_DOCS=OFF',
      '-DCMAKE_BUILD_TYPE=Release',
      '-DCMAKE_C_FLAGS=-fPIC',
      `-DCMAKE_INSTALL_PREFIX=${prefix}`,
      '-DCMAKE_INSTALL_LIBDIR=lib',
      '..',
    ],
    'Configuring libbson',
    { cwd: build },
  );
  await runOrFail(
    'cmake',
    ['--build', '.', '--parallel', '2', '--target', 'install'],
    'Building libbson',
    {
      cwd: build,
    },
  );
}

/** Debian's libintelrdfpmath-dev has no pkg-config file; its static library is PIC. */
async function writeIntelMathPc(pkgconfig: string): Promise<void> {
  await mkdir(pkgconfig, { recursive: true });
  await writeFile(
    join(pkgconfig, 'intelmathlib.pc'),
    [
      'Name: intelmathlib',
      'Description: Intel Decimal Floating-Point Math Library (Debian libintelrdfpmath-dev)',
      'Version: 2.0u2',
      'Cflags: -I/usr/include',
      'Libs: -lbidgcc000',
      '',
    ].join('\n'),
  );
}

/**
 * Debian's PostgreSQL binaries compute their share/ and lib/ directories relative to their own
 * path, so a copy of the binaries beside symlinks to Debian's files is a private installation:
 * extensions go there, /usr stays untouched, and the cluster still loads Debian's rum/postgis.
 */
async function makePrivatePostgres(tree: Layout): Promise<void> {
  const debianBin = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
  const debianLib = `/usr/lib/postgresql/${PG_MAJOR}/lib`;
  const debianShare = `/usr/share/postgresql/${PG_MAJOR}`;
  await mkdir(tree.pgBin, { recursive: true });
  await mkdir(tree.pgLib, { recursive: true });
  await mkdir(join(tree.pgShare, 'extension'), { recursive: true });
  // Copied, not linked: a symlinked binary resolves to /usr and finds Debian's directories.
  for (const name of ['postgres', 'initdb', 'psql']) {
    await copyFile(join(debianBin, name), join(tree.pgBin, name));
    await chmod(join(tree.pgBin, name), 0o755);
  }
  for (const name of await readdir(debianLib)) {
    await symlink(join(debianLib, name), join(tree.pgLib, name));
  }
  for (const name of await readdir(debianShare)) {
    if (name !== 'extension') await symlink(join(debianShare, name), join(tree.pgShare, name));
  }
  for (const name of await readdir(join(debianShare, 'extension'))) {
    await symlink(join(debianShare, 'extension', name), join(tree.pgShare, 'extension', name));
  }
}

/** `make install` into a staging directory, then its files into the private tree. */
async function buildExtension(
  source: string,
  subdirs: readonly string[],
  stage: string,
  tree: Layout,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  for (const subdir of subdirs) {
    const cwd = join(source, subdir);
    const make = [`PG_CONFIG=${PG_CONFIG}`, 'with_llvm=no'];
    await runOrFail('make', ['-j2', ...make], `Building ${subdir || source}`, { cwd, env });
    await runOrFail('make', ['install', ...make, `DESTDIR=${stage}`], `Installing ${subdir}`, {
      cwd,
      env,
    });
  }
  const stagedLib = join(stage, 'usr', 'lib', 'postgresql', PG_MAJOR, 'lib');
  const stagedExtension = join(stage, 'usr', 'share', 'postgresql', PG_MAJOR, 'extension');
  for (const [from, to] of [
    [stagedLib, tree.pgLib],
    [stagedExtension, join(tree.pgShare, 'extension')],
  ] as const) {
    for (const name of await readdir(from)) {
      if (name === 'bitcode') continue;
      await rm(join(to, name), { force: true, recursive: true });
      await cp(join(from, name), join(to, name), { recursive: true });
    }
  }
  await rm(stage, { recursive: true, force: true });
}

/** FerretDB 2.5.0 from the Go module proxy, with the version file a plain build leaves out. */
async function buildFerretDb2(work: string, target: string): Promise<void> {
  const env = { ...process.env, GOTOOLCHAIN: FERRETDB2_TOOLCHAIN, CGO_ENABLED: '0', GOFLAGS: '' };
  const download = await runOrFail(
    'go',
    ['mod', 'download', '-json', `${FERRETDB2_MODULE}@${FERRETDB2_VERSION}`],
    `Downloading ${FERRETDB2_MODULE}@${FERRETDB2_VERSION} (Go module proxy)`,
    { cwd: work, env },
  );
  const { Dir: moduleDir } = JSON.parse(download) as { Dir?: string };
  if (!moduleDir) throw new InfraError(`go mod download gave no directory:\n${download}`);
  const source = join(work, 'ferretdb');
  await cp(moduleDir, source, { recursive: true });
  await runOrFail('chmod', ['-R', 'u+w', source], 'Making the FerretDB sources writable');
  await writeFile(join(source, 'build', 'version', 'version.txt'), FERRETDB2_VERSION);
  await mkdir(join(target, '..'), { recursive: true });
  await runOrFail('go', ['build', '-o', target, './cmd/ferretdb'], 'Building FerretDB 2', {
    cwd: source,
    env,
  });
}

async function timed(what: string, step: () => Promise<void>): Promise<void> {
  const started = Date.now();
  log(`  ${what}…`);
  await step();
  log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function buildEngine(final: Layout): Promise<void> {
  const archives = await verifiedArchives();
  await ensurePackages();
  const started = Date.now();
  log(`Building the DocumentDB engine into ${final.root} (once; about 5 minutes on 2 cores)…`);
  await mkdir(join(final.root, '..'), { recursive: true });
  // Built beside the final directory and renamed, so a concurrent run never sees half a tree.
  const partial = `${final.root}.${process.pid}.partial`;
  const tree = layout(partial);
  const work = await mkdtemp(join(tmpdir(), 'aware-engine-build-'));
  const removeLeftovers = (): void => {
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { recursive: true, force: true });
  };
  process.once('exit', removeLeftovers);
  try {
    await mkdir(tree.deps, { recursive: true });
    const pkgconfig = join(tree.deps, 'lib', 'pkgconfig');
    const env = {
      ...process.env,
      PKG_CONFIG_PATH: [pkgconfig, process.env.PKG_CONFIG_PATH].filter(Boolean).join(':'),
    };
    await Promise.all([
      timed('FerretDB 2 (Go)', () => buildFerretDb2(work, tree.ferretdb)),
      (async () => {
        await timed('private PostgreSQL tree', () => makePrivatePostgres(tree));
        await timed('libbson 1.28', () => buildLibbson(archives.libbson, work, tree.deps));
        await writeIntelMathPc(pkgconfig);
        for (const [name, subdirs] of [
          ['pgvector', ['']],
          ['pgCron', ['']],
          ['documentdb', ['pg_documentdb_core', 'pg_documentdb']],
        ] as const) {
          await timed(name, async () => {
            const source = await unpack(archives[name], await mkdtemp(join(work, `${name}-`)));
            await buildExtension(source, subdirs, join(work, `${name}-stage`), tree, env);
          });
        }
      })(),
    ]);
    // The cluster runs as `postgres`: everything must be readable (and traversable) by it.
    await runOrFail('chmod', ['-R', 'a+rX', partial], 'Opening the engine tree to postgres');
    await writeFile(tree.complete, `${VERSION_KEY}\n`);
    try {
      await rename(partial, final.root);
    } catch (error) {
      // Another run finished first: keep its tree.
      if (!existsSync(final.complete)) throw error;
    }
    log(`Built the DocumentDB engine in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    process.removeListener('exit', removeLeftovers);
    removeLeftovers();
  }
}

/** Whether this machine can have the engine: Debian's PostgreSQL 15 tooling and the sources. */
export function documentDbAvailable(): { available: true } | { available: false; why: string } {
  if (existsSync(layout(engineCacheDir()).complete)) return { available: true };
  const sources = join(engineSourceDir(), ARCHIVES.documentdb.file);
  if (!existsSync(sources)) return { available: false, why: `no engine sources at ${sources}` };
  if (!existsSync('/usr/bin/apt-get') && !existsSync(PG_CONFIG)) {
    return { available: false, why: `no PostgreSQL ${PG_MAJOR} server tooling (${PG_CONFIG})` };
  }
  return { available: true };
}

/** Builds the engine unless a complete build is cached; returns where it is. */
export async function ensureDocumentDbEngine(): Promise<Layout> {
  const tree = layout(engineCacheDir());
  if (!existsSync(tree.complete)) await buildEngine(tree);
  return tree;
}

const PRELOADED = ['pg_cron', 'pg_documentdb_core', 'pg_documentdb'];

/** The settings FerretDB's own packaging gives the cluster, plus throwaway-cluster speed-ups. */
function clusterSettings(port: number, socketDir: string): string {
  return [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${socketDir}'`,
    `shared_preload_libraries = '${PRELOADED.join(',')}'`,
    `cron.database_name = 'postgres'`,
    'documentdb.enableCompact = true',
    'documentdb.enableLetAndCollationForQueryMatch = true',
    'documentdb.enableNowSystemVariable = true',
    'documentdb.enableSortbyIdPushDownToPrimaryKey = true',
    'documentdb.enableSchemaValidation = true',
    'documentdb.enableBypassDocumentValidation = true',
    'documentdb.enableUserCrud = true',
    'documentdb.maxUserLimit = 100',
    // New indexes use DocumentDB's composite-term operator class (built, off by default in this
    // release): one ordered term per document instead of one per path, so each written row costs
    // its indexes far less (an updateMany of 10,000 orders with the order indexes: 4.0 s → 2.0 s
    // here, 0.5 s without a unique secondary index).
    'documentdb.defaultUseCompositeOpClass = true',
    // The planner picks its plans from statistics: analyse freshly seeded collections within a
    // second, not a minute.
    'autovacuum_naptime = 1',
    // Every service instance and test suite holds its own FerretDB pool of backends.
    'max_connections = 300',
    // Thrown away after the run: durability on disk buys nothing here.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    '',
  ].join('\n');
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** initdb refuses root: as root the cluster runs as `postgres`, otherwise as ourselves. */
async function clusterOwner(): Promise<PostgresUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = await runCommand('id', ['-u', 'postgres']);
  const gid = await runCommand('id', ['-g', 'postgres']);
  if (uid.code !== 0 || gid.code !== 0) {
    throw new InfraError('PostgreSQL refuses to run as root and there is no `postgres` user.');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => output;
}

async function psql(tree: Layout, port: number, sql: string, owner?: PostgresUser) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn(
      join(tree.pgBin, 'psql'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-Atqc', sql],
      { stdio: ['ignore', 'pipe', 'pipe'], ...owner },
    );
    const output = collectOutput(child);
    child.once('exit', (code) => resolve({ code: code ?? 1, output: output() }));
  });
}

async function waitForPostgres(
  tree: Layout,
  port: number,
  isDead: () => boolean,
  owner?: PostgresUser,
): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  let reason = 'not started';
  while (Date.now() < deadline && !isDead()) {
    const result = await psql(tree, port, 'SELECT 1', owner);
    if (result.code === 0) return undefined;
    reason = result.output.trim();
    await sleep(200);
  }
  return isDead() ? 'the process exited' : reason;
}

/**
 * Starts a throwaway PostgreSQL 15 cluster with DocumentDB and a FerretDB 2 in front of it, both
 * on free ports; stop() ends both by PID and removes the data directory.
 */
export async function startDocumentDb(): Promise<MongoHandle> {
  const tree = await ensureDocumentDbEngine();
  const owner = await clusterOwner();
  const dataDir = await mkdtemp(join(tmpdir(), 'documentdb-data-'));
  const pgData = join(dataDir, 'pg');
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  const children: ChildProcess[] = [];
  const killOnExit = (): void => {
    for (const child of children) signalProcess(child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const fail = async (message: string): Promise<never> => {
    process.removeListener('exit', killOnExit);
    for (const child of children.reverse()) await terminate(child, 5_000);
    await rm(dataDir, { recursive: true, force: true });
    throw new InfraError(message);
  };

  const initdb = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn(
      join(tree.pgBin, 'initdb'),
      ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { stdio: ['ignore', 'pipe', 'pipe'], ...owner },
    );
    const output = collectOutput(child);
    child.once('exit', (code) => resolve({ code: code ?? 1, output: output() }));
  });
  if (initdb.code !== 0) return fail(`initdb failed:\n${tail(initdb.output)}`);

  const pgPort = await freePort();
  await appendFile(join(pgData, 'postgresql.conf'), clusterSettings(pgPort, dataDir));
  // Own process group: a Ctrl-C aimed at Jest or the dev apps must not stop the database first.
  const postgres = spawn(join(tree.pgBin, 'postgres'), ['-D', pgData], {
    // pg_documentdb.so links pg_documentdb_core.so by an rpath into /usr; ours is in the tree.
    env: { ...process.env, LD_LIBRARY_PATH: tree.pgLib },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...owner,
  });
  children.push(postgres);
  const postgresOutput = collectOutput(postgres);
  const pgDown = await waitForPostgres(tree, pgPort, () => postgres.exitCode !== null, owner);
  if (pgDown) {
    return fail(`PostgreSQL did not start (${pgDown}). Its output:\n${tail(postgresOutput())}`);
  }
  const extension = await psql(
    tree,
    pgPort,
    'CREATE EXTENSION IF NOT EXISTS documentdb CASCADE',
    owner,
  );
  if (extension.code !== 0) {
    return fail(
      `CREATE EXTENSION documentdb failed:\n${tail(extension.output + postgresOutput())}`,
    );
  }

  const port = await freePort();
  const ferret = spawn(
    tree.ferretdb,
    [
      `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      '--no-auth',
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(ferret);
  const ferretOutput = collectOutput(ferret);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const notReady = await waitForMongo(uri, 60_000, () => ferret.exitCode !== null);
  if (notReady) {
    return fail(
      `FerretDB 2 did not start on 127.0.0.1:${port} (${notReady}):\n${tail(ferretOutput())}`,
    );
  }
  return {
    uri,
    kind:
      `FerretDB ${FERRETDB2_VERSION} + DocumentDB ${DOCUMENTDB_TAG.split('-')[0]} on PostgreSQL ` +
      `${PG_MAJOR} (throwaway, pid ${ferret.pid}, postgres pid ${postgres.pid})`,
    pid: ferret.pid,
    postgresPid: postgres.pid,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await terminate(ferret, 5_000);
      await terminate(postgres, 15_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
