export * from './kong-admin-client';
export * from './kong-config';
export * from './kong-status-metrics';
export * from './kubernetes-route-target';
export * from './rollout';
export * from './rollout-cli';
export * from './rollout-target';
export * from './service-metrics';
