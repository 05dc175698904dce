export * from './command-attribution';
export * from './operation-context';
export * from './operation-context.interceptor';
