import { isEmail } from 'class-validator';
import { Types } from 'mongoose';
import { userVersionKey } from '../users/user.schema';
import { EMAIL_PATTERN, type BsonSchema } from '../field-rules';
import {
  ORDERS_VALIDATOR,
  USER_PROJECTIONS_VALIDATOR,
  USERS_VALIDATOR,
} from './collection-validators';
import { SEED_ORDERS, SEED_USERS } from './seed-data';

/** The BSON type the Node driver writes for a JS value (integral numbers become int32). */
function bsonTypeOf(value: unknown): string {
  if (value instanceof Date) return 'date';
  if (value instanceof Types.ObjectId) return 'objectId';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  return typeof value;
}

/**
 * The `$jsonSchema` keywords the validators use, evaluated the way MongoDB does, so documents
 * can be checked here where the test server (FerretDB) has no validators. Returns the problems.
 */
function violations(schema: BsonSchema, value: unknown, path = '$'): string[] {
  const type = bsonTypeOf(value);
  const allowed = [schema.bsonType].flat();
  const numeric = ['int', 'long', 'double', 'decimal'];
  if (!allowed.includes(type) && !(allowed.includes('number') && numeric.includes(type))) {
    return [`${path}: ${type} is not ${allowed.join('|')}`];
  }
  const problems: string[] = [];
  const fail = (rule: string): void => void problems.push(`${path}: ${rule}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) fail('minLength');
    if (schema.maxLength !== undefined && length > schema.maxLength) fail('maxLength');
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      fail('pattern');
    }
    if (schema.enum && !schema.enum.includes(value)) fail('enum');
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    fail('minimum');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail('minItems');
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail('maxItems');
    if (schema.uniqueItems && new Set(value).size !== value.length) fail('uniqueItems');
    const items = schema.items;
    if (items)
      value.forEach((item, i) => problems.push(...violations(items, item, `${path}[${i}]`)));
  }
  if (type === 'object' && typeof value === 'object' && value !== null) {
    const fields = value as Record<string, unknown>;
    for (const field of schema.required ?? []) if (!(field in fields)) fail(`${field} required`);
    for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
      if (fields[field] !== undefined) {
        problems.push(...violations(fieldSchema, fields[field], `${path}.${field}`));
      }
    }
  }
  return problems;
}

function declaredFieldsCover(schema: BsonSchema): boolean {
  const own = (schema.required ?? []).every((field) => field in (schema.properties ?? {}));
  const nested = Object.values(schema.properties ?? {});
  return own && [...nested, ...(schema.items ? [schema.items] : [])].every(declaredFieldsCover);
}

describe('collection validators', () => {
  it('declare every field they require', () => {
    for (const validator of [USERS_VALIDATOR, ORDERS_VALIDATOR, USER_PROJECTIONS_VALIDATOR]) {
      expect(declaredFieldsCover(validator.$jsonSchema)).toBe(true);
    }
  });

  it('accept every address the API accepts, quoted local parts included', () => {
    const accepted = [
      'ada@example.com',
      'first.last+tag@sub.example.co.uk',
      '"john doe"@example.com',
      '"a@b"@example.org',
      'josé@exämple.com',
    ];
    for (const email of accepted) {
      expect(isEmail(email)).toBe(true);
      expect(email).toMatch(new RegExp(EMAIL_PATTERN, 'u'));
    }
  });

  it('reject what is plainly not an address', () => {
    for (const email of ['ada', 'ada@', '@example.com', 'ada@example', 'ada@exa mple.com']) {
      expect(email).not.toMatch(new RegExp(EMAIL_PATTERN, 'u'));
    }
  });

  it('accept the seed data, so db:setup --seed works where validators are enforced', () => {
    for (const user of SEED_USERS) {
      const document = { _id: userVersionKey(user.userId, user.version), ...user };
      expect(violations(USERS_VALIDATOR.$jsonSchema, document)).toEqual([]);
      const projection = { _id: user.userId, ...user, updatedAt: new Date() };
      expect(violations(USER_PROJECTIONS_VALIDATOR.$jsonSchema, projection)).toEqual([]);
    }
    for (const order of SEED_ORDERS) {
      const document = { _id: order.orderId, ...order };
      expect(violations(ORDERS_VALIDATOR.$jsonSchema, document)).toEqual([]);
    }
  });

  it('accept an order stored before orders were keyed by their orderId (ObjectId _id)', () => {
    const [order] = SEED_ORDERS;
    const older = { _id: new Types.ObjectId(), ...order };
    expect(violations(ORDERS_VALIDATOR.$jsonSchema, older)).toEqual([]);
    expect(violations(ORDERS_VALIDATOR.$jsonSchema, { ...order, _id: 42 })).toEqual([
      '$._id: int is not string|objectId',
    ]);
  });

  it('reject a document that breaks the rules', () => {
    const [order] = SEED_ORDERS;
    const broken = { ...order, items: [], orderStatus: 'lost', userVersion: 1.5 };
    expect(violations(ORDERS_VALIDATOR.$jsonSchema, broken)).toEqual([
      '$.items: minItems',
      '$.orderStatus: enum',
      '$.userVersion: double is not int|long',
    ]);
  });
});
