export * from './broker-connection-status';
export * from './event-handler.registry';
export * from './event-message';
export * from './events.module';
export * from './outbox-relay';
export * from './outbox-store';
export * from './topology';
export * from './user-events.subscriber';
