import { createConnection, createServer, type Server, type Socket } from 'node:net';

interface ProxyTarget {
  host: string;
  port: number;
}

/**
 * A TCP proxy between services and a dependency (the broker, a database) that a test can cut:
 * faults are injected here, never on the machine's shared RabbitMQ or MongoDB.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  /** How a cut ends connections: a reset (RST) or a graceful close (FIN). */
  private ending: 'reset' | 'close' = 'reset';
  private blackholing = false;
  /** Bytes whose passage towards the target starts a blackhole (blackholeAfter). */
  private blackholeTrigger?: Buffer;
  /** Connections accepted and forwarded since the proxy started. */
  connectionsForwarded = 0;
  /** Connections reset while the proxy was cut. */
  connectionsRefused = 0;

  private constructor(
    private readonly server: Server,
    readonly target: ProxyTarget,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (a free port unless `port` is given) and forwards to `target`. */
  static async start(target: ProxyTarget, port = 0): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    const proxy = new TcpProxy(server, target, address.port);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  /** `url` (amqp://…, mongodb://…) with its host and port replaced by this proxy's. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get isCut(): boolean {
    return this.refusing;
  }

  /** Resets every open connection and every new one until restore(). */
  cut(): void {
    this.endAll('reset');
  }

  /**
   * Closes every open connection and every new one gracefully (FIN, as a server that shuts down
   * cleanly does) until restore().
   */
  hangUp(): void {
    this.endAll('close');
  }

  /**
   * Silently drops every byte in both directions and holds new connections open without
   * forwarding them, as a partitioned network does: no reset tells either side.
   */
  blackhole(): void {
    this.blackholing = true;
  }

  /**
   * Forwards as usual until a chunk towards the target contains `marker`; that chunk still goes
   * through, then everything is dropped as by blackhole(). So the target carries out a command
   * (e.g. an insert, marked by its opening bytes) and its answer never comes back.
   */
  blackholeAfter(marker: Buffer): void {
    this.blackholeTrigger = marker;
  }

  restore(): void {
    this.refusing = false;
    this.ending = 'reset';
    this.blackholing = false;
    this.blackholeTrigger = undefined;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private endAll(how: 'reset' | 'close'): void {
    this.refusing = true;
    this.ending = how;
    const open = [...this.sockets];
    this.sockets.clear();
    for (const socket of open) this.end(socket);
  }

  private end(socket: Socket): void {
    if (this.ending === 'reset') {
      abort(socket);
      return;
    }
    // FIN, then drop whatever the peer still sends until it closes its side too.
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.resume();
    socket.end();
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      this.connectionsRefused += 1;
      this.end(client);
      return;
    }
    this.connectionsForwarded += 1;
    const upstream = createConnection({ host: this.target.host, port: this.target.port });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
    }
    // Whatever ends one side ends the other, as a broken network path would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (this.blackholing) return;
      upstream.write(chunk);
      if (this.blackholeTrigger && chunk.includes(this.blackholeTrigger)) {
        this.blackholing = true;
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.blackholing) client.write(chunk);
    });
  }
}

/**
 * Ends a connection as a broken network would: with a reset (RST). Not when it is already ending:
 * Node's resetAndDestroy() on a socket whose shutdown is in flight fails (EINVAL) and leaks the
 * handle, and the leaked handle makes the process spin forever at exit (Node 20).
 */
function abort(socket: Socket): void {
  if (socket.writableEnded || socket.destroyed) socket.destroy();
  else socket.resetAndDestroy();
}

/** The host and port an amqp:// or mongodb:// URL points at. */
export function targetOf(url: string, defaultPort: number): ProxyTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : defaultPort,
  };
}
