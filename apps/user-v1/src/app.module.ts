import type { DynamicModule } from '@nestjs/common';
import type { AppConfig, ServiceIdentity } from '@aware/common';
import { UserServiceRootModule } from '@aware/users';
import { LegacyTimestampPolicy } from './legacy-timestamp.policy';

export const USER_V1: ServiceIdentity = {
  name: 'user-v1',
  defaultDatabase: 'users',
  title: 'Aware User service v1',
  description: 'Legacy user API: createdAt/updatedAt are stored as the client sends them.',
};

export function userV1Module(config: AppConfig): DynamicModule {
  return UserServiceRootModule.register(config, { timestampPolicy: LegacyTimestampPolicy });
}
