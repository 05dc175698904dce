/**
 * `@aware/harness`: what `npm test`, `npm run dev`, the bench and the e2e tests run the services
 * against, in one place (docs/development.md, "Code boundaries"): a MongoDB-compatible engine
 * found or started (docs/engines.md), the RabbitMQ check, the built services as child processes,
 * throwaway broker topologies, and process helpers. Not part of any app or image.
 */
export * from './broker-topology';
export * from './documentdb';
export * from './ensure-mongo';
export * from './ferretdb';
export * from './mongo';
export * from './rabbit';
export * from './service-process';
export * from './util';
