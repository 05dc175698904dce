import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Connection } from 'mongoose';
import { MongoMonitorWatchdog } from './mongo-monitor-watchdog';

const ADDRESS = '127.0.0.1:27017';

/** A client shaped as the driver's is where the watchdog reads it, around one monitor socket. */
function clientWith(socket: PassThrough): EventEmitter {
  const client = new EventEmitter();
  Object.assign(client, {
    topology: { s: { servers: new Map([[ADDRESS, { monitor: { connection: { socket } } }]]) } },
  });
  return client;
}

describe('MongoMonitorWatchdog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const watch = (client: EventEmitter): MongoMonitorWatchdog => {
    const watchdog = new MongoMonitorWatchdog({ getClient: () => client } as unknown as Connection);
    watchdog.onApplicationBootstrap();
    return watchdog;
  };

  it('fails a check that waits on a socket destroyed under it', () => {
    const socket = new PassThrough();
    const errors: Error[] = [];
    socket.on('error', (error: Error) => errors.push(error));
    const client = clientWith(socket);
    const watchdog = watch(client);

    client.emit('serverHeartbeatStarted', { connectionId: ADDRESS });
    socket.destroy();
    jest.advanceTimersByTime(2_000);

    expect(errors.map((error) => error.message)).toEqual([
      'connection closed under a pending server check',
    ]);
    watchdog.onApplicationShutdown();
  });

  it('leaves a slow check on a live socket, and a check that ended, alone', () => {
    const socket = new PassThrough();
    const errors: Error[] = [];
    socket.on('error', (error: Error) => errors.push(error));
    const client = clientWith(socket);
    const watchdog = watch(client);

    client.emit('serverHeartbeatStarted', { connectionId: ADDRESS });
    jest.advanceTimersByTime(5_000);
    client.emit('serverHeartbeatFailed', { connectionId: ADDRESS });
    socket.destroy();
    jest.advanceTimersByTime(5_000);

    expect(errors).toEqual([]);
    watchdog.onApplicationShutdown();
  });
});
