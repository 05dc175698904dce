/** Which deployable this process is; decides defaults and the X-Service-Version header. */
export type ServiceName = 'user-v1' | 'user-v2' | 'order';

export interface ServiceIdentity {
  readonly name: ServiceName;
  /** Database used when MONGO_URI is not set (docs/operations.md). */
  readonly defaultDatabase: 'users' | 'orders';
  /** Title shown in Swagger UI. */
  readonly title: string;
  readonly description: string;
}
