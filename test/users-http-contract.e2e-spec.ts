/** What every user-service response carries, and its health, metrics and docs endpoints. */
import { eventually, type Json } from './support/http';
import { expectProblem, startUsersApi, USER_SERVICES } from './support/users-api';

describe.each(USER_SERVICES)('users API ($identity.name)', (service) => {
  const { send, createUser } = startUsersApi(service);

  describe('common headers', () => {
    it('sends X-Service-Version and echoes X-Request-ID, on success and on error', async () => {
      const ok = await send('GET', '/health', undefined, { 'x-request-id': 'trace-123' });
      expect(ok.headers['x-service-version']).toMatch(
        new RegExp(`^${service.identity.name}/\\d+\\.\\d+`),
      );
      expect(ok.headers['x-request-id']).toBe('trace-123');
      const error = await send('GET', '/users/nobody');
      expect(error.headers['x-service-version']).toMatch(new RegExp(`^${service.identity.name}/`));
      expect(error.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('replaces an unsafe X-Request-ID with a generated one', async () => {
      const response = await send('GET', '/health', undefined, { 'x-request-id': 'a b<script>' });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers unknown routes with a problem+json 404', async () => {
      expectProblem(await send('GET', '/nowhere'), 404);
    });
  });

  describe('health and docs', () => {
    // The service connects to RabbitMQ in the background once started (it does not wait for the
    // broker); readiness is checked after that connection, as a deployed service's would be.
    beforeAll(() =>
      eventually('the broker connection', async () =>
        (await send('GET', '/health/ready')).json<{ reported: { rabbitmq: { status: string } } }>()
          .reported.rabbitmq.status === 'up'
          ? true
          : undefined,
      ),
    );

    it('reports liveness and readiness (MongoDB up)', async () => {
      expect((await send('GET', '/health')).json()).toEqual({ status: 'ok' });
      const ready = await send('GET', '/health/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ok', info: { mongodb: { status: 'up' } } });
    });

    it('exposes Prometheus metrics: HTTP by route and status, events, outbox backlog', async () => {
      await createUser();
      const response = await send('GET', '/metrics');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toMatch(
        /http_requests_total\{method="POST",route="\/users",status="201",replayed="false"\} \d+/,
      );
      expect(response.body).toContain('http_request_duration_seconds_bucket');
      expect(response.body).toMatch(/aware_outbox_pending \d+/);
      expect(response.body).toMatch(/aware_outbox_oldest_age_seconds [\d.e+-]+/);
      expect(response.body).toContain('aware_events_published_total');
    });

    it('serves Swagger UI at /docs and the OpenAPI document at /docs/json', async () => {
      const ui = await send('GET', '/docs');
      expect(ui.statusCode).toBe(200);
      expect(ui.body).toContain('swagger');
      const doc = (await send('GET', '/docs/json')).json<{ paths: Record<string, Json> }>();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/users', '/users/{userId}', '/health', '/health/ready']),
      );
    });
  });
});
