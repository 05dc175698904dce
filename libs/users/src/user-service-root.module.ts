import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, AppConfigModule, HealthModule, MetricsModule } from '@aware/common';
import { DatabaseModule, MongoReadinessCheck, UsersPersistenceModule } from '@aware/database';
import { BrokerConnectionStatus, EventsModule } from '@aware/events';
import { UsersModule, type UsersModuleOptions } from './users.module';
import { UsersOutbox } from './users-outbox';

/** The root module of a user service version; the options carry what differs between versions. */
@Module({})
export class UserServiceRootModule {
  static register(config: AppConfig, options: UsersModuleOptions): DynamicModule {
    return {
      module: UserServiceRootModule,
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        EventsModule.forProducer({ imports: [UsersPersistenceModule], outbox: UsersOutbox }),
        HealthModule.forRoot({
          checks: [MongoReadinessCheck],
          reported: [BrokerConnectionStatus],
        }),
        UsersModule.forRoot(options),
      ],
    };
  }
}
