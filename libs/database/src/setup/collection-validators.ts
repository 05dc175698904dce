import {
  ADDRESS_FIELDS,
  ADDRESS_LINE,
  IDEMPOTENCY_KEY,
  ORDER_ITEM_RULES,
  ORDER_RULES,
  USER_EVENT_PRODUCERS,
  USER_EVENT_TYPES,
  USER_RULES,
} from '@aware/contracts';
import {
  bsonSchemaOf,
  EMAIL_CLAIM_RULES,
  WRITER_LEASE_RULES,
  type BsonSchema,
} from '../field-rules';

export interface CollectionValidator {
  $jsonSchema: BsonSchema;
}

const STRING: BsonSchema = { bsonType: 'string' };
const DATE: BsonSchema = { bsonType: 'date' };

const ADDRESS: BsonSchema = {
  bsonType: 'object',
  required: ADDRESS_FIELDS,
  properties: Object.fromEntries(
    ADDRESS_FIELDS.map((field) => [field, bsonSchemaOf(ADDRESS_LINE)]),
  ),
};

/** Users: one immutable document per user version, carrying its event (the outbox). */
export const USERS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['_id', 'userId', 'version', 'emails', 'deliveryAddress', 'event', 'published'],
    properties: {
      _id: STRING,
      userId: STRING,
      version: bsonSchemaOf(USER_RULES.version),
      firstName: bsonSchemaOf(USER_RULES.firstName),
      lastName: bsonSchemaOf(USER_RULES.lastName),
      emails: bsonSchemaOf(USER_RULES.emails),
      deliveryAddress: ADDRESS,
      phoneNumber: bsonSchemaOf(USER_RULES.phoneNumber),
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
      generation: bsonSchemaOf(EMAIL_CLAIM_RULES.generation),
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
      key: bsonSchemaOf(IDEMPOTENCY_KEY),
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
      term: bsonSchemaOf(WRITER_LEASE_RULES.term),
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
      // The orderId; orders stored before orders were keyed by it keep their ObjectId.
      _id: { bsonType: ['string', 'objectId'] },
      orderId: STRING,
      userId: STRING,
      items: {
        ...bsonSchemaOf(ORDER_RULES.items),
        items: {
          bsonType: 'object',
          required: ['itemId', 'quantity', 'price'],
          properties: {
            itemId: bsonSchemaOf(ORDER_ITEM_RULES.itemId),
            quantity: bsonSchemaOf(ORDER_ITEM_RULES.quantity),
            price: bsonSchemaOf(ORDER_ITEM_RULES.price),
          },
        },
      },
      totalPrice: bsonSchemaOf(ORDER_RULES.totalPrice),
      userEmails: bsonSchemaOf(ORDER_RULES.userEmails),
      deliveryAddress: ADDRESS,
      orderStatus: bsonSchemaOf(ORDER_RULES.orderStatus),
      userVersion: bsonSchemaOf(ORDER_RULES.userVersion),
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
      version: bsonSchemaOf(USER_RULES.version),
      emails: bsonSchemaOf(USER_RULES.emails),
      deliveryAddress: ADDRESS,
      updatedAt: DATE,
    },
  },
};
