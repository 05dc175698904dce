export * from './command-attribution';
export * from './operation-context';
