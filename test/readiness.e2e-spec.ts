import { getConnectionToken } from '@nestjs/mongoose';
import mongoose, { type Connection } from 'mongoose';
import { ORDER, orderModule } from '../apps/order/src/app.module';
import { USER_V1, userV1Module } from '../apps/user-v1/src/app.module';
import { anAddress, uniqueEmail } from './support/fixtures';
import { eventually } from './support/http';
import { throwawayMongoUri } from './support/infra';
import { startTestApp } from './support/test-app';

/** Nothing listens on port 1: the broker is "down" for the whole test. */
const DEAD_BROKER = 'amqp://guest:guest@127.0.0.1:1';

describe('readiness and outages (docs/api.md)', () => {
  it('stays ready without RabbitMQ, reporting it down, and keeps the events of user writes', async () => {
    const service = await startTestApp(USER_V1, userV1Module, { AMQP_URL: DEAD_BROKER });
    try {
      // Readiness is about serving the API: the broker is reported, never waited for.
      const ready = await service.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        status: 'ok',
        info: { mongodb: { status: 'up' } },
        reported: { rabbitmq: { status: 'down' } },
      });
      expect((await service.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      const metrics = await service.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^aware_broker_connected 0$/m);

      const created = await service.app.inject({
        method: 'POST',
        url: '/users',
        payload: { emails: [uniqueEmail()], deliveryAddress: anAddress() },
      });
      expect(created.statusCode).toBe(201);
      const { userId } = created.json<{ userId: string }>();
      const updated = await service.app.inject({
        method: 'PUT',
        url: `/users/${userId}`,
        payload: { deliveryAddress: anAddress({ city: 'Offline' }) },
      });
      expect(updated.statusCode).toBe(200);

      // The outbox gauges are refreshed in the background, not per scrape.
      await eventually(
        'aware_outbox_pending 2 on /metrics',
        async () => {
          const metrics = await service.app.inject({ method: 'GET', url: '/metrics' });
          return /^aware_outbox_pending 2$/m.test(metrics.body) ? true : undefined;
        },
        15_000,
      );
    } finally {
      await service.close();
    }
  });

  it('reports MongoDB down with 503 naming it', async () => {
    const mongoUri = throwawayMongoUri('readiness');
    const service = await startTestApp(ORDER, orderModule, { MONGO_URI: mongoUri });
    try {
      await eventually(
        'the order service connected to RabbitMQ',
        async () => {
          const ready = await service.app.inject({ method: 'GET', url: '/health/ready' });
          return ready.statusCode === 200 &&
            ready.json<{ reported: { rabbitmq: { status: string } } }>().reported.rabbitmq
              .status === 'up'
            ? true
            : undefined;
        },
        15_000,
      );
      const metrics = await service.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^aware_broker_connected 1$/m);
      await service.app.get<Connection>(getConnectionToken()).close();
      const ready = await service.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json<{ detail: string }>().detail).toMatch(/mongodb/);
      expect(ready.json()).toMatchObject({ reported: { rabbitmq: { status: 'up' } } });
      const listing = await service.app.inject({ method: 'GET', url: '/orders' });
      expect(listing.statusCode).toBe(503);
      expect(listing.json()).toMatchObject({ status: 503, type: 'urn:aware:problem:unavailable' });
    } finally {
      await service.close();
      const connection = await mongoose.createConnection(mongoUri).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
