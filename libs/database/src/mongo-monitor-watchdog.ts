import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Duplex } from 'node:stream';

/** How often the server monitors are looked at. */
const CHECK_EVERY_MS = 1_000;
/** A check pending this long on a connection already closed under it is stuck, not slow. */
const STUCK_AFTER_MS = 1_000;

/**
 * The parts of the driver's (mongodb 6.x) private server monitor this watchdog reads: the
 * topology's servers, each server's monitor, the monitor's connection and its socket. They are
 * not public API, so each step is optional and a driver without them leaves the watchdog idle.
 */
interface DriverInternals {
  topology?: { s?: { servers?: Map<string, { monitor?: MonitorInternals | null }> } };
}
interface MonitorInternals {
  connection?: { socket?: Duplex } | null;
}

/**
 * Unsticks the driver's server monitor after a connection closes under it (mongodb 6.x).
 *
 * The monitor checks the server on one long-lived connection. When the database or the network
 * ends that connection (FIN, or a reset), its socket is destroyed at once but its 'close' event
 * comes a little later; a check that starts in between still sees an open connection, writes its
 * hello to the destroyed socket — the write fails silently (no 'error' event: the socket is
 * already destroyed) — and waits for a 'drain' that never comes. The driver's own deadlines do
 * not apply: the socket timeout is ignored on a destroyed socket, and client-side operation
 * timeouts (timeoutMS) are not used for monitoring. The monitor never checks again, the server
 * stays Unknown, every operation fails server selection and /health/ready stays 503 for good,
 * although the database answers. A busy machine widens the window. The check also cannot be
 * recovered from outside by the public API short of rebuilding the client.
 *
 * This watchdog finds a check pending on a destroyed socket and raises an error on that socket:
 * the pending write fails, the check ends as a failed heartbeat, the driver clears the pool and
 * checks again on a new connection — its ordinary path after a network error. Nothing else is
 * touched: operations in flight on other connections go on as they were.
 */
@Injectable()
export class MongoMonitorWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MongoMonitorWatchdog.name);
  /** When the pending check of each server address started. */
  private readonly pendingSince = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onApplicationBootstrap(): void {
    const client = this.connection.getClient();
    client.on('serverHeartbeatStarted', (event) =>
      this.pendingSince.set(event.connectionId, Date.now()),
    );
    const ended = (event: { connectionId: string }): void => {
      this.pendingSince.delete(event.connectionId);
    };
    client.on('serverHeartbeatSucceeded', ended);
    client.on('serverHeartbeatFailed', ended);
    this.timer = setInterval(() => this.unstick(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private unstick(): void {
    const now = Date.now();
    const servers = (this.connection.getClient() as unknown as DriverInternals).topology?.s
      ?.servers;
    if (!servers) return;
    for (const [address, since] of this.pendingSince) {
      if (now - since < STUCK_AFTER_MS) continue;
      const socket = servers.get(address)?.monitor?.connection?.socket;
      if (!socket?.destroyed) continue;
      this.logger.warn(
        `the database server monitor of ${address} was stuck ${now - since} ms writing to a ` +
          'connection closed under it; failing that check so the driver reconnects',
      );
      this.pendingSince.delete(address);
      socket.emit('error', new Error('connection closed under a pending server check'));
    }
  }
}
