export * from './timestamp.policy';
export * from './user-service-root.module';
export * from './users-outbox';
