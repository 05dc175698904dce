import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import mongoose from 'mongoose';
import { errorMessage, log, serverUri } from './util';

/** A MongoDB(-compatible) server for the tests or the dev apps. */
export interface MongoHandle {
  /** Server URI without a database path; callers add the database they need. */
  uri: string;
  /** Human-readable description, e.g. "FerretDB v1.24.2 (SQLite, throwaway)". */
  kind: string;
  /** The engine's process, when this process started it (the bench reads its CPU time). */
  pid?: number;
  /** The PostgreSQL postmaster behind the engine, when this process started one. */
  postgresPid?: number;
  /** Stops what this process started; a no-op for a server found already running. */
  stop(): Promise<void>;
}

const SINGLE_HOST = /^mongodb:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:,/?]+)(?::(\d+))?(?:[/?]|$)/;

/**
 * A refused TCP connection is known at once, while the driver keeps retrying until its server
 * selection timeout; checking the socket first makes "nothing there" cost milliseconds.
 */
function tcpRefusal(uri: string, timeoutMs: number): Promise<string | undefined> {
  const match = SINGLE_HOST.exec(uri);
  if (!match) return Promise.resolve(undefined);
  const host = match[1].replace(/^\[|\]$/g, '');
  const port = Number(match[2] ?? 27017);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer from ${host}:${port} within ${timeoutMs} ms`);
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

/** Resolves with undefined when the server answers `ping`, else with the reason it did not. */
export async function pingMongo(uri: string, timeoutMs: number): Promise<string | undefined> {
  const refused = await tcpRefusal(uri, timeoutMs);
  if (refused !== undefined) return refused;
  const client = new mongoose.mongo.MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
  });
  try {
    await client.db('admin').command({ ping: 1 });
    return undefined;
  } catch (error) {
    return errorMessage(error);
  } finally {
    await client.close(true).catch(() => undefined);
  }
}

/** Polls until the server answers or `isDead()` says the process behind it is gone. */
export async function waitForMongo(
  uri: string,
  timeoutMs: number,
  isDead: () => boolean,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let reason: string | undefined = 'not started';
  while (Date.now() < deadline && !isDead()) {
    reason = await pingMongo(uri, 1_000);
    if (reason === undefined) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return isDead() ? 'the process exited' : reason;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * Quick reachability check of the mongod download host. mongodb-memory-server retries a failed
 * download several times with back-off and logs each attempt; without internet this check fails
 * in milliseconds (DNS) or `timeoutMs` (filtered network) instead.
 */
async function downloadHostReachable(timeoutMs: number): Promise<string | undefined> {
  const { resolveConfig, ResolveConfigVariables } =
    await import('mongodb-memory-server-core/lib/util/resolveConfig');
  const target = new URL(
    resolveConfig(ResolveConfigVariables.DOWNLOAD_URL) ??
      resolveConfig(ResolveConfigVariables.DOWNLOAD_MIRROR) ??
      'https://fastdl.mongodb.org',
  );
  const request = target.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve) => {
    const req = request(target, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(undefined);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error) => resolve(`${target.host}: ${error.message}`));
    req.end();
  });
}

/** `failure` reads as a continuation of "mongodb-memory-server …". */
type Attempt = { handle: MongoHandle } | { failure: string };

/** A real mongod via mongodb-memory-server: from its cache, or downloaded once if reachable. */
export async function tryMemoryServer(): Promise<Attempt> {
  try {
    // Loaded lazily: most runs find a server at MONGO_URI and never need it.
    const { DryMongoBinary, MongoMemoryServer } = await import('mongodb-memory-server-core');
    const options = await DryMongoBinary.generateOptions();
    const cached = await DryMongoBinary.locateBinary(options);
    if (!cached) {
      // Behind a proxy our probe would not use it; let mongodb-memory-server try directly.
      const behindProxy = PROXY_VARIABLES.some((name) => process.env[name]);
      const unreachable = behindProxy ? undefined : await downloadHostReachable(3_000);
      if (unreachable) return { failure: `could not download mongod (${unreachable})` };
      log(`Downloading mongod ${options.version} once (mongodb-memory-server)…`);
    }
    const server = await MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
    return {
      handle: {
        uri: serverUri(server.getUri()),
        kind: `mongod ${options.version} (mongodb-memory-server, throwaway)`,
        stop: async () => {
          await server.stop({ doCleanup: true, force: true });
        },
      },
    };
  } catch (error) {
    return { failure: `failed: ${errorMessage(error)}` };
  }
}
