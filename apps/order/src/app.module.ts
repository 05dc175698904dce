import { DynamicModule, Module } from '@nestjs/common';
import {
  AppConfigModule,
  HealthModule,
  MetricsModule,
  type AppConfig,
  type ServiceIdentity,
} from '@aware/common';
import { DatabaseModule, MongoReadinessCheck } from '@aware/database';
import { BrokerConnectionStatus, EventsModule } from '@aware/events';
import { OrdersModule } from './orders/orders.module';
import { OrderSync } from './sync/order-sync';
import { SyncModule } from './sync/sync.module';
import { WriterLeaseReadinessCheck } from './writer-lease/writer-lease-readiness.check';
import { WriterLeaseModule } from './writer-lease/writer-lease.module';

export const ORDER: ServiceIdentity = {
  name: 'order',
  defaultDatabase: 'orders',
  title: 'Aware Order service',
  description:
    'Order API: each order carries its user’s emails and delivery address, kept in sync by user events.',
};

/**
 * The root module of the order service. ORDER_ROLE picks its parts: `api` has no broker
 * connection at all (it publishes nothing), so its readiness is the database's alone; `consumer`
 * has no HTTP API, only health and metrics for the orchestrator.
 */
@Module({})
class OrderServiceRootModule {
  static register(config: AppConfig): DynamicModule {
    const servesApi = config.orderRole !== 'consumer';
    const consumes = config.orderRole !== 'api';
    return {
      module: OrderServiceRootModule,
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        WriterLeaseModule,
        ...(servesApi ? [OrdersModule] : []),
        ...(consumes ? [SyncModule, EventsModule.forConsumer({ handlers: [OrderSync] })] : []),
        HealthModule.forRoot({
          imports: [WriterLeaseModule],
          checks: [MongoReadinessCheck, WriterLeaseReadinessCheck],
          // The broker's state is reported, never a readiness condition; `api` has no broker.
          reported: consumes ? [BrokerConnectionStatus] : [],
        }),
      ],
    };
  }
}

export function orderModule(config: AppConfig): DynamicModule {
  return OrderServiceRootModule.register(config);
}
