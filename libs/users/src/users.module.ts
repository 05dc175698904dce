import { DynamicModule, Module, type Type } from '@nestjs/common';
import { IdempotencyModule, UsersPersistenceModule } from '@aware/database';
import { EmailOwnership } from './email-ownership';
import { TimestampPolicy } from './timestamp.policy';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

export interface UsersModuleOptions {
  /** What distinguishes this user service version (docs/api.md). */
  timestampPolicy: Type<TimestampPolicy>;
}

/** The users feature shared by user-v1 and user-v2. */
@Module({})
export class UsersModule {
  static forRoot(options: UsersModuleOptions): DynamicModule {
    return {
      module: UsersModule,
      imports: [UsersPersistenceModule, IdempotencyModule],
      controllers: [UsersController],
      providers: [
        UsersService,
        EmailOwnership,
        { provide: TimestampPolicy, useClass: options.timestampPolicy },
      ],
    };
  }
}
