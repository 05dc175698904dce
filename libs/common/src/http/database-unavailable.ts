/**
 * Whether an error means "the database cannot be reached or cannot serve right now" (a 503 the
 * client may retry), whatever the driver or the engine calls it. Duck-typed on names, labels and
 * codes so that this library needs no database driver.
 */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoPoolClosedError',
  'MongoServerClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'DisconnectedError',
]);

/** Labels the driver puts on errors of a connection or pool that went away. */
const UNAVAILABLE_LABELS = ['ResetPool', 'PoolRequestedRetry', 'RetryableWriteError'];

/**
 * Server codes of a node that is stopping, stepping down or unreachable: HostUnreachable,
 * HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown, SocketException,
 * NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
 * NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
 */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/** A socket to the database failed under the driver and surfaced as a bare system error. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
]);

// [engine-note: sqlite-busy]
/** FerretDB's SQLite backend reports a busy writer as an internal error with this text. */
const BUSY_ENGINE = /SQLITE_BUSY|database is locked/;

interface DriverError {
  name?: unknown;
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  errorLabels?: unknown;
  cause?: unknown;
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const candidate = error as DriverError;
  if (typeof candidate.name === 'string' && UNAVAILABLE_NAMES.has(candidate.name)) return true;
  if (typeof candidate.code === 'number' && UNAVAILABLE_CODES.has(candidate.code)) return true;
  if (typeof candidate.code === 'string' && NETWORK_CODES.has(candidate.code)) return true;
  const labels = labelsOf(error);
  if (UNAVAILABLE_LABELS.some((label) => labels.includes(label))) return true;
  if (
    typeof candidate.name === 'string' &&
    candidate.name.startsWith('Mongo') &&
    typeof candidate.message === 'string' &&
    BUSY_ENGINE.test(candidate.message)
  ) {
    return true;
  }
  return isDatabaseUnavailable(candidate.cause, depth + 1);
}

function labelsOf(error: object): string[] {
  // The driver keeps labels in a private set and exposes them through a getter.
  const labels = (error as DriverError).errorLabels;
  return Array.isArray(labels) ? labels.filter((label) => typeof label === 'string') : [];
}
