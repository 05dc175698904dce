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
import { OrderSync } from './sync/order-sync.service';
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

/** The root module of the order service. */
@Module({})
export class OrderServiceRootModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: OrderServiceRootModule,
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        WriterLeaseModule,
        OrdersModule,
        SyncModule,
        EventsModule.forConsumer({ handlers: [OrderSync] }),
        HealthModule.forRoot({
          imports: [WriterLeaseModule],
          checks: [MongoReadinessCheck, WriterLeaseReadinessCheck],
          reported: [BrokerConnectionStatus],
        }),
      ],
    };
  }
}

export function orderModule(config: AppConfig): DynamicModule {
  return OrderServiceRootModule.register(config);
}
