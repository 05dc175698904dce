export * from './events.module';
export * from './outbox-relay';
export * from './rabbit-readiness.check';
export * from './topology';
export * from './user-event-message';
export * from './user-events.publisher';
export * from './user-events.subscriber';
export * from './user-snapshot.handler';
