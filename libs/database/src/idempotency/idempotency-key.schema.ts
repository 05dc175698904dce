import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEYS_COLLECTION = 'idempotency_keys';

/**
 * The first create that carried an Idempotency-Key, keyed by the key and its API client. It is
 * inserted before the resource it protects, with that resource as the request built it (its id
 * generated up front), so the `_id` unique index alone decides which request creates, on any
 * engine; the resource is then written under its own unique id. A key whose resource exists
 * answers again with that resource; one whose resource is missing (a crash or an outage between
 * the two inserts) lets a later retry write exactly that resource. docs/reliability.md.
 */
@Schema({ collection: IDEMPOTENCY_KEYS_COLLECTION, versionKey: false })
export class IdempotencyKey {
  /** idempotencyKeyId(scope, key): bounded in length whatever the client sends. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) scope!: string;
  @Prop({ required: true }) key!: string;
  /** sha256 of the method, path and canonical body of the first request. */
  @Prop({ required: true }) fingerprint!: string;
  @Prop({ required: true }) resourceId!: string;
  /** The resource record the first request built: what a retry answers, or writes if missing. */
  @Prop({ type: Object, required: true }) resource!: Record<string, unknown>;
  @Prop({ required: true }) createdAt!: Date;
  /** After this the key may be pruned (IDEMPOTENCY_KEY_TTL_HOURS after createdAt). */
  @Prop({ required: true }) expiresAt!: Date;
}

export const IdempotencyKeySchema = SchemaFactory.createForClass(IdempotencyKey);
// [engine-note: no-ttl-index]
// The prune of expired keys. A TTL index would do it on MongoDB, but FerretDB 1.24 refuses
// `expireAfterSeconds` (NotImplemented), so every engine is pruned the same way.
IdempotencyKeySchema.index({ expiresAt: 1 });

export function idempotencyKeyId(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\n${key}`).digest('hex');
}
