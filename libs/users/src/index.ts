export * from './email-ownership.service';
export * from './if-match';
export * from './timestamp.policy';
export * from './user-response';
export * from './users.module';
export * from './users.service';
export * from './user-service.module';
export * from './users-outbox';
