import {
  ADDRESS_FIELDS,
  MAX_EMAILS,
  ORDER_STATUSES,
  USER_EVENT_PRODUCERS,
  USER_EVENT_TYPES,
} from '@aware/contracts';

/** The subset of MongoDB's `$jsonSchema` dialect (bsonType, not type) the validators use. */
export interface BsonSchema {
  bsonType: string | readonly string[];
  required?: readonly string[];
  properties?: Readonly<Record<string, BsonSchema>>;
  items?: BsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly string[];
}

export interface CollectionValidator {
  $jsonSchema: BsonSchema;
}

/**
 * What the API's email rule (class-validator's IsEmail, TLD required) lets through, loosely: the
 * database is the last line of defence, and must never reject an address the API accepted —
 * IsEmail allows quoted local parts, which may hold spaces and `@`.
 */
export const EMAIL_PATTERN = '^.+@[^\\s@]+\\.[^\\s@]+$';
export const PHONE_NUMBER_PATTERN = '^[0-9]{10,15}$';

const STRING: BsonSchema = { bsonType: 'string' };
const DATE: BsonSchema = { bsonType: 'date' };
// The driver stores integral JS numbers as int32; long covers values written by other tools.
const INTEGER = ['int', 'long'] as const;

const ADDRESS: BsonSchema = {
  bsonType: 'object',
  required: ADDRESS_FIELDS,
  properties: Object.fromEntries(
    ADDRESS_FIELDS.map((field) => [field, { bsonType: 'string', minLength: 1, maxLength: 200 }]),
  ),
};

const EMAILS: BsonSchema = {
  bsonType: 'array',
  minItems: 1,
  maxItems: MAX_EMAILS,
  uniqueItems: true,
  items: { bsonType: 'string', maxLength: 254, pattern: EMAIL_PATTERN },
};

/** Users: one immutable document per user version, carrying its event (the outbox). */
export const USERS_VALIDATOR: CollectionValidator = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['_id', 'userId', 'version', 'emails', 'deliveryAddress', 'event', 'published'],
    properties: {
      _id: STRING,
      userId: STRING,
      version: { bsonType: INTEGER, minimum: 1 },
      firstName: { bsonType: 'string', maxLength: 100 },
      lastName: { bsonType: 'string', maxLength: 100 },
      emails: EMAILS,
      deliveryAddress: ADDRESS,
      phoneNumber: { bsonType: 'string', pattern: PHONE_NUMBER_PATTERN },
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
      generation: { bsonType: INTEGER, minimum: 0 },
      userId: { bsonType: ['string', 'null'] },
      claimedAt: DATE,
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
      term: { bsonType: INTEGER, minimum: 1 },
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
        minItems: 1,
        maxItems: 100,
        items: {
          bsonType: 'object',
          required: ['itemId', 'quantity', 'price'],
          properties: {
            itemId: { bsonType: 'string', minLength: 1, maxLength: 200 },
            quantity: { bsonType: INTEGER, minimum: 1 },
            price: { bsonType: 'number', minimum: 0 },
          },
        },
      },
      totalPrice: { bsonType: 'number', minimum: 0 },
      userEmails: EMAILS,
      deliveryAddress: ADDRESS,
      orderStatus: { bsonType: 'string', enum: ORDER_STATUSES },
      userVersion: { bsonType: INTEGER, minimum: 0 },
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
      version: { bsonType: INTEGER, minimum: 1 },
      emails: EMAILS,
      deliveryAddress: ADDRESS,
      updatedAt: DATE,
    },
  },
};
