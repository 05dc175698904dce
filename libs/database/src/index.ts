export * from './database.module';
export * from './mongo-errors';
export * from './mongo-readiness.check';
export * from './users/email-claim.schema';
export * from './users/email-claims.repository';
export * from './users/user.schema';
export * from './users/users-database.module';
export * from './users/users.repository';
