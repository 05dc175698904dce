/**
 * With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set), one user change is one trace across
 * processes: the HTTP request in user-v1, the publish of its event from the outbox, and the order
 * service's processing of it. The services export over OTLP/HTTP to a collector stand-in here.
 */
import { createServer, type Server } from 'node:http';
import { createUser, createOrderForKnownUser } from './support/aware-client';
import { anAddress } from './support/fixtures';
import { eventually, http } from './support/http';
import { freePort } from '@aware/harness';
import { ServiceStack, withServiceOutput } from './support/service-stack';

jest.setTimeout(120_000);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: (Omit<ExportedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttribute[] })[];
    }[];
  }[];
}

function attributes(list: OtlpAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)),
    ]),
  );
}

/** An OTLP/HTTP (JSON) trace receiver that keeps every span it is sent. */
async function startCollector(): Promise<{ server: Server; url: string; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const exported = JSON.parse(body) as OtlpExport;
      for (const resource of exported.resourceSpans ?? []) {
        const service = String(attributes(resource.resource?.attributes)['service.name']);
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({ ...span, service, attributes: attributes(span.attributes) });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}`, spans };
}

describe('tracing: HTTP → outbox → AMQP → consumer as one trace', () => {
  let stack: ServiceStack | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    collector = await startCollector();
    stack = await ServiceStack.create({
      suite: 'tracing',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
    await stack.start();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => collector.server.close(resolve));
  }, 60_000);

  it(
    'links the PUT, the publish and the processing by trace and parent',
    withServiceOutput(
      () => stack,
      async () => {
        if (!stack) throw new Error('no stack');
        const { v1, order } = stack;
        const user = await createUser(v1.url, 'trace');
        await createOrderForKnownUser(order.url, user.userId);
        const put = await http(v1.url, 'PUT', `/users/${user.userId}`, {
          body: { deliveryAddress: anAddress({ city: 'Tracetown' }) },
          headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` },
        });
        expect(put.status).toBe(200);

        const spans = await eventually(
          'the three spans of the PUT’s trace',
          () => {
            const found = collector.spans.filter((span) => span.traceId === TRACE_ID);
            const names = new Set(found.map((span) => span.name));
            const complete = ['PUT /users/:userId', 'publish user.updated', 'process user.updated'];
            return Promise.resolve(complete.every((name) => names.has(name)) ? found : undefined);
          },
          20_000,
        );
        const byName = (name: string): ExportedSpan => {
          const span = spans.find((candidate) => candidate.name === name);
          if (!span) throw new Error(`no span ${name} in ${spans.map((s) => s.name).join(', ')}`);
          return span;
        };
        const server = byName('PUT /users/:userId');
        const publish = byName('publish user.updated');
        const processing = byName('process user.updated');
        expect(server).toMatchObject({ service: 'user-v1', parentSpanId: CLIENT_SPAN });
        expect(publish).toMatchObject({ service: 'user-v1', parentSpanId: server.spanId });
        expect(processing).toMatchObject({ service: 'order', parentSpanId: publish.spanId });
        expect(processing.attributes).toMatchObject({
          'aware.user_id': user.userId,
          'aware.orders_changed': 1,
        });
      },
    ),
  );
});
