import {
  ADDRESS_FIELD_MAX_LENGTH,
  ADDRESS_FIELDS,
  EMAIL_MAX_LENGTH,
  ITEM_ID_MAX_LENGTH,
  MAX_EMAILS,
  MAX_ORDER_ITEMS,
  MIN_EMAILS,
  MIN_ORDER_ITEMS,
  NAME_MAX_LENGTH,
  PHONE_NUMBER_PATTERN,
  USER_EVENT_PRODUCERS,
  USER_EVENT_TYPES,
} from '@aware/contracts';
import {
  CLAIM_GENERATION,
  ITEM_PRICE,
  ITEM_QUANTITY,
  LEASE_TERM,
  ORDER_STATUS,
  ORDER_USER_VERSION,
  TOTAL_PRICE,
  USER_VERSION,
  type BsonSchema,
} from '../field-rules';

export interface CollectionValidator {
  $jsonSchema: BsonSchema;
}

/**
 * What the API's email rule (class-validator's IsEmail, TLD required) lets through, loosely: the
 * database is the last line of defence, and must never reject an address the API accepted —
 * IsEmail allows quoted local parts, which may hold spaces and `@`.
 */
export const EMAIL_PATTERN = '^.+@[^\\s@]+\\.[^\\s@]+$';

const STRING: BsonSchema = { bsonType: 'string' };
const DATE: BsonSchema = { bsonType: 'date' };

/** A string the API requires non-empty (IsNotEmpty) and at most `maxLength` long. */
function nonEmptyString(maxLength: number): BsonSchema {
  return { bsonType: 'string', minLength: 1, maxLength };
}

const ADDRESS: BsonSchema = {
  bsonType: 'object',
  required: ADDRESS_FIELDS,
  properties: Object.fromEntries(
    ADDRESS_FIELDS.map((field) => [field, nonEmptyString(ADDRESS_FIELD_MAX_LENGTH)]),
  ),
};

const EMAILS: BsonSchema = {
  bsonType: 'array',
  minItems: MIN_EMAILS,
  maxItems: MAX_EMAILS,
  uniqueItems: true,
  items: { bsonType: 'string', maxLength: EMAIL_MAX_LENGTH, pattern: EMAIL_PATTERN },
};

const NAME: BsonSchema = { bsonType: 'string', maxLength: NAME_MAX_LENGTH };

/** Users: one immutable document per user version, carrying its event (the outbox). */
export const USERS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['_id', 'userId', 'version', 'emails', 'deliveryAddress', 'event', 'published'],
    properties: {
      _id: STRING,
      userId: STRING,
      version: USER_VERSION.bson,
      firstName: NAME,
      lastName: NAME,
      emails: EMAILS,
      deliveryAddress: ADDRESS,
      phoneNumber: { bsonType: 'string', pattern: PHONE_NUMBER_PATTERN.source },
      // Optional: user-v1 keeps them as the client sent them, absent when it sent none.
      createdAt: DATE,
      updatedAt: DATE,
      event: {
        bsonType: 'object',
        required: ['eventId', 'type', 'occurredAt', 'producer'],
        properties: {
          eventId: STRING,
          type: { bsonType: 'string', enum: USER_EVENT_TYPES },
          occurredAt: DATE,
          producer: { bsonType: 'string', enum: USER_EVENT_PRODUCERS },
          correlationId: STRING,
          traceparent: STRING,
        },
      },
      published: { bsonType: 'bool' },
    },
  },
};

export const EMAIL_CLAIMS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['_id', 'email', 'generation', 'userId', 'claimedAt'],
    properties: {
      _id: STRING,
      email: STRING,
      generation: CLAIM_GENERATION.bson,
      userId: { bsonType: ['string', 'null'] },
      claimedAt: DATE,
    },
  },
};

/** Idempotency keys of creates, in the users and the orders database alike. */
export const IDEMPOTENCY_KEYS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: [
      '_id',
      'scope',
      'key',
      'fingerprint',
      'resourceId',
      'resource',
      'createdAt',
      'expiresAt',
    ],
    properties: {
      _id: STRING,
      scope: STRING,
      key: { bsonType: 'string', minLength: 1, maxLength: 255 },
      fingerprint: STRING,
      resourceId: STRING,
      resource: { bsonType: 'object' },
      createdAt: DATE,
      expiresAt: DATE,
    },
  },
};

export const WRITER_LEASES_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['_id', 'name', 'term', 'owner', 'expiresAt'],
    properties: {
      _id: STRING,
      name: STRING,
      term: LEASE_TERM.bson,
      owner: STRING,
      expiresAt: DATE,
    },
  },
};

export const ORDERS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: [
      'orderId',
      'items',
      'totalPrice',
      'userEmails',
      'deliveryAddress',
      'orderStatus',
      'userVersion',
      'createdAt',
      'updatedAt',
    ],
    properties: {
      orderId: STRING,
      userId: STRING,
      items: {
        bsonType: 'array',
        minItems: MIN_ORDER_ITEMS,
        maxItems: MAX_ORDER_ITEMS,
        items: {
          bsonType: 'object',
          required: ['itemId', 'quantity', 'price'],
          properties: {
            itemId: nonEmptyString(ITEM_ID_MAX_LENGTH),
            quantity: ITEM_QUANTITY.bson,
            price: ITEM_PRICE.bson,
          },
        },
      },
      totalPrice: TOTAL_PRICE.bson,
      userEmails: EMAILS,
      deliveryAddress: ADDRESS,
      orderStatus: ORDER_STATUS.bson,
      userVersion: ORDER_USER_VERSION.bson,
      contactEditedAt: DATE,
      createdAt: DATE,
      updatedAt: DATE,
    },
  },
};

export const USER_PROJECTIONS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['_id', 'version', 'emails', 'deliveryAddress', 'updatedAt'],
    properties: {
      _id: STRING,
      version: USER_VERSION.bson,
      emails: EMAILS,
      deliveryAddress: ADDRESS,
      updatedAt: DATE,
    },
  },
};
