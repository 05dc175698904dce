import { AsyncLocalStorage } from 'node:async_hooks';

/** What the process is doing when it issues a database command (bench mode only). */
interface OperationContext {
  /** e.g. `PUT /users/:userId`, `event user.updated`, `outbox relay`. */
  readonly operation: string;
  /** Set once the operation answered: later commands in its context are background work. */
  finished: boolean;
}

/** The suffix of commands issued in a request's context after its response was sent. */
const AFTER_RESPONSE = ' (after response)';
/** Commands issued outside any tracked operation (start-up, index builds, shutdown). */
export const UNATTRIBUTED = 'unattributed';

const storage = new AsyncLocalStorage<OperationContext>();
/**
 * AsyncLocalStorage costs every promise a hook once it is used, so it stays unused unless the
 * process counts database commands.
 */
let tracking = false;
let countStart: (operation: string) => void = () => undefined;

/** Starts tracking; `onStart` counts operations, so commands per operation can be derived. */
export function enableOperationTracking(onStart: (operation: string) => void): void {
  tracking = true;
  countStart = onStart;
}

/**
 * Runs `work` as `operation`: everything it awaits, and everything it starts without awaiting,
 * is attributed to `operation` unless that work names its own operation. Background work kicked
 * from a request (the outbox relay) wraps itself in its own operation, so it is not counted on
 * the request path.
 */
export function runInOperation<T>(operation: string, work: () => T): T {
  if (!tracking) return work();
  countStart(operation);
  return storage.run({ operation, finished: false }, work);
}

/** The current operation (undefined outside one) — for marking it finished. */
export function currentOperationContext(): OperationContext | undefined {
  return tracking ? storage.getStore() : undefined;
}

/** The label a command issued now is counted under. */
export function attributedOperation(): string {
  const context = currentOperationContext();
  if (!context) return UNATTRIBUTED;
  return context.finished ? `${context.operation}${AFTER_RESPONSE}` : context.operation;
}
