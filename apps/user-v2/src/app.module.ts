import type { DynamicModule } from '@nestjs/common';
import type { AppConfig, ServiceIdentity } from '@aware/common';
import { UserServiceRootModule } from '@aware/users';
import { ServerTimestampPolicy } from './server-timestamp.policy';

export const USER_V2: ServiceIdentity = {
  name: 'user-v2',
  defaultDatabase: 'users',
  title: 'Aware User service v2',
  description: 'User API: createdAt/updatedAt are set by the server.',
};

export function userV2Module(config: AppConfig): DynamicModule {
  return UserServiceRootModule.register(config, { timestampPolicy: ServerTimestampPolicy });
}
