export * from './kong-admin-client';
export * from './kong-config';
export * from './kong-status-metrics';
export * from './rollout';
export * from './rollout-cli';
export * from './service-metrics';
