import { randomUUID } from 'node:crypto';
import type { Connection, mongo, Schema } from 'mongoose';
import { Order, OrderSchema } from '../orders/order.schema';
import { UserProjection, UserProjectionSchema } from '../orders/user-projection.schema';
import { WriterLease, WriterLeaseSchema } from '../orders/writer-lease.schema';
import { IdempotencyKey, IdempotencyKeySchema } from '../idempotency/idempotency-key.schema';
import { EmailClaim, EmailClaimSchema } from '../users/email-claim.schema';
import { User, UserSchema } from '../users/user.schema';
import {
  EMAIL_CLAIMS_VALIDATOR,
  IDEMPOTENCY_KEYS_VALIDATOR,
  ORDERS_VALIDATOR,
  USER_PROJECTIONS_VALIDATOR,
  USERS_VALIDATOR,
  WRITER_LEASES_VALIDATOR,
  type CollectionValidator,
} from './collection-validators';
import { errorCode } from '../mongo-errors';
import { reconcileIndexes, type RebuiltIndex } from './index-reconciliation';

/** A collection as setup creates it: its model (name, indexes) and its validator. */
export interface CollectionDefinition {
  modelName: string;
  schema: Schema;
  validator: CollectionValidator;
}

const IDEMPOTENCY_KEYS: CollectionDefinition = {
  modelName: IdempotencyKey.name,
  schema: IdempotencyKeySchema,
  validator: IDEMPOTENCY_KEYS_VALIDATOR,
};

export const USERS_DATABASE_COLLECTIONS: readonly CollectionDefinition[] = [
  { modelName: User.name, schema: UserSchema, validator: USERS_VALIDATOR },
  { modelName: EmailClaim.name, schema: EmailClaimSchema, validator: EMAIL_CLAIMS_VALIDATOR },
  IDEMPOTENCY_KEYS,
];

export const ORDERS_DATABASE_COLLECTIONS: readonly CollectionDefinition[] = [
  { modelName: Order.name, schema: OrderSchema, validator: ORDERS_VALIDATOR },
  {
    modelName: UserProjection.name,
    schema: UserProjectionSchema,
    validator: USER_PROJECTIONS_VALIDATOR,
  },
  { modelName: WriterLease.name, schema: WriterLeaseSchema, validator: WRITER_LEASES_VALIDATOR },
  IDEMPOTENCY_KEYS,
];

export interface CollectionSetup {
  collection: string;
  /** False when the collection was already there. */
  created: boolean;
  /** False when the server does not enforce validators (FerretDB, DocumentDB): created without one. */
  validated: boolean;
  /** Indexes that differed from the schema's (e.g. an older unique one), dropped and recreated. */
  rebuiltIndexes: RebuiltIndex[];
}

const VALIDATION = { validationLevel: 'strict', validationAction: 'error' } as const;

/** MongoDB's code for creating a collection that exists. */
const NAMESPACE_EXISTS = 48;
/** MongoDB's code for a write its collection's validator rejected. */
const DOCUMENT_VALIDATION_FAILURE = 121;
// [engine-note: optional-validators]
/** Codes of engines without validators: FerretDB answers NotImplemented (238). */
const VALIDATORS_UNSUPPORTED = new Set([
  59, // CommandNotFound: no collMod
  115, // CommandNotSupported
  238, // NotImplemented: FerretDB, for the `validator` option and for collMod
]);

function validatorsUnsupported(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && VALIDATORS_UNSUPPORTED.has(code);
}

/**
 * Creates a database's collections with their `$jsonSchema` validators (or updates the validator
 * of one that exists) and all indexes the schemas declare; an index that exists with another
 * definition than the schema's (the unique `orderId_1` of orders set up by an older release) is
 * dropped and created as declared. Idempotent. On a server without validators the collections
 * are created without them, and the result says so.
 *
 * The connection should be opened with autoCreate and autoIndex off: otherwise mongoose creates
 * each collection, without its validator, as soon as the model is compiled.
 */
export async function setUpDatabase(
  connection: Connection,
  definitions: readonly CollectionDefinition[],
): Promise<CollectionSetup[]> {
  const existing = new Set((await connection.listCollections()).map(({ name }) => name));
  // Learnt from the first refusal, so the server is asked once, not once per collection.
  let validatorsSupported = await validatorsEnforced(
    connection,
    definitions.map(({ validator }) => validator),
  );
  const results: CollectionSetup[] = [];
  for (const { modelName, schema, validator } of definitions) {
    const model = connection.model(modelName, schema);
    const collection = model.collection.collectionName;
    let created = false;
    if (validatorsSupported) {
      try {
        created = await createOrUpdateValidated(connection, collection, validator, existing);
      } catch (error) {
        if (!validatorsUnsupported(error)) throw error;
        validatorsSupported = false;
      }
    }
    if (!validatorsSupported && !existing.has(collection)) {
      created = await createIfAbsent(connection, collection);
    }
    const rebuiltIndexes = await reconcileIndexes(model);
    results.push({ collection, created, validated: validatorsSupported, rebuiltIndexes });
  }
  return results;
}

/**
 * Whether the server rejects a document that breaks each validator, with MongoDB's code. Some
 * [engine-note: optional-validators]
 * engines accept a `$jsonSchema` validator they cannot evaluate (DocumentDB knows only part of
 * it, e.g. not a nested `required`) and then refuse every write with a parse error; others refuse
 * the validator itself (FerretDB 1.x). Tried on a scratch collection, which is dropped.
 */
export async function validatorsEnforced(
  connection: Connection,
  validators: readonly CollectionValidator[],
): Promise<boolean> {
  if (!connection.db) throw new Error('the database connection is not open');
  const db = connection.db;
  for (const validator of validators) {
    const scratch = `validator_probe_${randomUUID().slice(0, 8)}`;
    try {
      const probe = await db.createCollection(scratch, { validator, ...VALIDATION });
      await probe.insertOne({});
      return false;
    } catch (error) {
      if (errorCode(error) !== DOCUMENT_VALIDATION_FAILURE) return false;
    } finally {
      await db.dropCollection(scratch).catch(() => undefined);
    }
  }
  return true;
}

/** True when this call created the collection; an existing one gets the validator by collMod. */
async function createOrUpdateValidated(
  connection: Connection,
  collection: string,
  validator: CollectionValidator,
  existing: ReadonlySet<string>,
): Promise<boolean> {
  const options = { validator, ...VALIDATION };
  if (!existing.has(collection) && (await createIfAbsent(connection, collection, options))) {
    return true;
  }
  if (!connection.db) throw new Error('the database connection is not open');
  await connection.db.command({ collMod: collection, ...options });
  return false;
}

/** False when the collection exists (another setup created it in the meantime). */
async function createIfAbsent(
  connection: Connection,
  collection: string,
  options: mongo.CreateCollectionOptions = {},
): Promise<boolean> {
  try {
    await connection.createCollection(collection, options);
    return true;
  } catch (error) {
    if (errorCode(error) === NAMESPACE_EXISTS) return false;
    throw error;
  }
}
