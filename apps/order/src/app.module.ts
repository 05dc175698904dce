import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HealthModule, type AppConfig, type ServiceIdentity } from '@aware/common';
import { DatabaseModule, MongoReadinessCheck } from '@aware/database';
import { OrdersModule } from './orders/orders.module';

export const ORDER: ServiceIdentity = {
  name: 'order',
  defaultDatabase: 'orders',
  title: 'Aware Order service',
  description:
    'Order API: each order carries its user’s emails and delivery address, kept in sync by user events.',
};

/** The root module of the order service. */
@Module({})
export class OrderServiceModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: OrderServiceModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        HealthModule.forRoot({ checks: [MongoReadinessCheck] }),
        OrdersModule,
      ],
    };
  }
}

export function orderModule(config: AppConfig): DynamicModule {
  return OrderServiceModule.register(config);
}
