import { attributedOperation } from './operation-context';

/** The parts of the driver's command monitoring events that attribution needs. */
interface CommandStarted {
  requestId: number;
  commandName: string;
  command: Record<string, unknown>;
}

interface CommandFinished {
  requestId: number;
  /** Milliseconds, as the driver measures it. */
  duration: number;
}

/** One finished database command, charged to the operation that issued it. */
export interface AttributedCommand {
  operation: string;
  command: string;
  /** Empty for commands on the database rather than a collection (ping, endSessions). */
  collection: string;
  write: boolean;
  durationMs: number;
  failed: boolean;
}

/** The commands that change documents. */
const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
]);

/**
 * The collection a command names: the value of its first key for collection commands
 * (`{find: "users", …}`), `collection` for getMore (whose first value is a cursor id).
 */
export function collectionOf(started: CommandStarted): string {
  const named = started.commandName === 'getMore' ? started.command.collection : undefined;
  const first = named ?? started.command[started.commandName];
  return typeof first === 'string' ? first : '';
}

/**
 * Charges each database command to the operation in progress when it started (read from the
 * async context at `commandStarted`, which runs in the caller's context), and reports it with
 * its duration once it succeeded or failed.
 */
export class CommandAttribution {
  private readonly inFlight = new Map<
    number,
    Pick<AttributedCommand, 'operation' | 'command' | 'collection'>
  >();

  constructor(private readonly report: (command: AttributedCommand) => void) {}

  started(event: CommandStarted): void {
    this.inFlight.set(event.requestId, {
      operation: attributedOperation(),
      command: event.commandName,
      collection: collectionOf(event),
    });
  }

  succeeded(event: CommandFinished): void {
    this.finish(event, false);
  }

  failed(event: CommandFinished): void {
    this.finish(event, true);
  }

  private finish(event: CommandFinished, failed: boolean): void {
    const started = this.inFlight.get(event.requestId);
    // Commands that started before monitoring was attached have nothing to finish.
    if (!started) return;
    this.inFlight.delete(event.requestId);
    this.report({
      ...started,
      write: WRITE_COMMANDS.has(started.command),
      durationMs: event.duration,
      failed,
    });
  }
}
