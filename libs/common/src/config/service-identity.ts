/**
 * Which deployable this process is; decides defaults and the X-Service-Version header. Each app
 * declares its own, so this library does not know which apps exist.
 */
export interface ServiceIdentity {
  /** e.g. `user-v1`: the X-Service-Version prefix, the log prefix and the tracing service name. */
  readonly name: string;
  /** Database used when MONGO_URI is not set (docs/operations.md). */
  readonly defaultDatabase: string;
  /** Title shown in Swagger UI. */
  readonly title: string;
  readonly description: string;
}
