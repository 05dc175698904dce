import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

export interface StandInReply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as Prometheus text instead of JSON. */
  text?: string;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

/**
 * A local HTTP server for the rollout's tests: it records every request and answers what the
 * stand-in's `answer` says for it.
 */
export abstract class RecordingStandIn {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private readonly hanging: ServerResponse[] = [];

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  protected abstract answer(request: RecordedRequest, headers: IncomingHttpHeaders): StandInReply;

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded = {
      method: request.method ?? '',
      path: request.url ?? '/',
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    const reply = this.answer(recorded, request.headers);
    if (reply.hang) {
      this.hanging.push(response);
      return;
    }
    if (reply.text !== undefined) {
      response.writeHead(reply.status, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(reply.text);
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }
}
