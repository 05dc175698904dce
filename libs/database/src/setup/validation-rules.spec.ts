import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { Schema, type SchemaType } from 'mongoose';
import {
  ADDRESS_FIELDS,
  ADDRESS_LINE,
  AddressDto,
  CreateOrderDto,
  CreateUserDto,
  documented,
  EMAIL_LIST,
  ListOrdersQueryDto,
  ORDER_ITEM_RULES,
  ORDER_QUERY_RULES,
  ORDER_RULES,
  OrderDto,
  OrderItemDto,
  text,
  UpdateOrderDetailsDto,
  UpdateOrderStatusDto,
  UpdateUserDto,
  USER_RULES,
  UserDto,
  UserSnapshot,
  Validated,
  type FieldRule,
} from '@aware/contracts';
import { OrderItemSchema, OrderSchema } from '../orders/order.schema';
import { UserProjectionSchema } from '../orders/user-projection.schema';
import { UserSchema } from '../users/user.schema';
import { bsonSchemaOf, propOf, type BsonSchema } from '../field-rules';
import {
  ORDERS_VALIDATOR,
  USER_PROJECTIONS_VALIDATOR,
  USERS_VALIDATOR,
  type CollectionValidator,
} from './collection-validators';
import { ORDERS_DATABASE_COLLECTIONS, USERS_DATABASE_COLLECTIONS } from './database-setup';

/*
 * Each field's rule is stated once, in the contracts' tables (field-rules.ts); the DTO checks, the
 * OpenAPI metadata, the `$jsonSchema` validators and the Mongoose props are produced from it. These
 * tests check that every place a rule reaches says what its table says, and, with a planted fault
 * per output, that the check would catch a place that says something else.
 */

type Dto = new () => object;

/** The checks class-validator runs on a property: each decorator's name and constraints. */
function checksOf(dto: Dto, property: string): [string, unknown[]][] {
  return getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .filter(({ propertyName, name }) => propertyName === property && name !== undefined)
    .map(({ name, constraints }) => [name ?? '', constraints ?? []]);
}

/** The checks a rule produces, read off a probe class that carries only them. */
function checksOfRule(rule: FieldRule): [string, unknown[]][] {
  class Probe {
    @Validated(rule)
    field!: unknown;
  }
  return checksOf(Probe, 'field');
}

/** Where a DTO's checks leave the rule's: what the rule asks that the property lacks. */
function checksMissing(dto: Dto, property: string, rule: FieldRule): string[] {
  const have = JSON.stringify(checksOf(dto, property));
  return checksOfRule(rule)
    .map((check) => JSON.stringify(check))
    .filter((check) => !have.includes(check))
    .map((check) => `${dto.name}.${property} lacks ${check}`);
}

/** Where a property's @ApiProperty differs from what the rule documents. */
function docsDiffer(dto: Dto, property: string, rule: FieldRule): string[] {
  const prototype: object = dto.prototype;
  const options: Record<string, unknown> =
    Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, property) ?? {};
  return Object.entries(documented(rule))
    .filter(([keyword, value]) => JSON.stringify(options[keyword]) !== JSON.stringify(value))
    .map(([keyword]) => `${dto.name}.${property} documents ${keyword} otherwise`);
}

/** A field's schema within a validator; a dotted path steps into objects and array items. */
function fieldOf(schema: BsonSchema, path: string): BsonSchema {
  return path.split('.').reduce((parent, name) => {
    const field = (parent.items ?? parent).properties?.[name];
    if (!field) throw new Error(`the validator has no field ${path}`);
    return field;
  }, schema);
}

/** Where a validator's field differs from the rule (nested objects' own fields checked apart). */
function validatorDiffers(validator: CollectionValidator, path: string, rule: FieldRule): string[] {
  const field = fieldOf(validator.$jsonSchema, path);
  const expected = bsonSchemaOf(rule);
  const stated = expected.items ? field : { ...field, items: undefined, required: undefined };
  const compared = JSON.parse(JSON.stringify(stated)) as BsonSchema;
  return JSON.stringify(compared) === JSON.stringify(expected)
    ? []
    : [`${path}: ${JSON.stringify(compared)}`];
}

/** Where a Mongoose path's minimum or enum differs from the rule's. */
function propDiffers(
  schema: Schema,
  path: string,
  rule: Extract<FieldRule, { kind: 'integer' | 'amount' | 'choice' }>,
): string[] {
  const options = schema.path(path).options as Record<string, unknown>;
  return Object.entries(propOf(rule))
    .filter(([option, value]) => {
      return option !== 'type' && JSON.stringify(options[option]) !== JSON.stringify(value);
    })
    .map(([option]) => `${path} ${option}`);
}

const EMAIL_LISTS: [Dto, string][] = [
  [CreateUserDto, 'emails'],
  [UpdateUserDto, 'emails'],
  [CreateOrderDto, 'userEmails'],
  [UpdateOrderDetailsDto, 'userEmails'],
  [UserSnapshot, 'emails'],
];

/** Every DTO property a rule validates, and the rule. */
const VALIDATED: [Dto, string, FieldRule][] = [
  ...ADDRESS_FIELDS.map((field): [Dto, string, FieldRule] => [AddressDto, field, ADDRESS_LINE]),
  [CreateUserDto, 'firstName', USER_RULES.firstName],
  [CreateUserDto, 'lastName', USER_RULES.lastName],
  [CreateUserDto, 'phoneNumber', USER_RULES.phoneNumber],
  ...EMAIL_LISTS.map(([dto, property]): [Dto, string, FieldRule] => [dto, property, EMAIL_LIST]),
  [UserSnapshot, 'version', USER_RULES.version],
  [OrderItemDto, 'itemId', ORDER_ITEM_RULES.itemId],
  [OrderItemDto, 'quantity', ORDER_ITEM_RULES.quantity],
  [OrderItemDto, 'price', ORDER_ITEM_RULES.price],
  [CreateOrderDto, 'items', ORDER_RULES.items],
  [CreateOrderDto, 'orderStatus', ORDER_RULES.orderStatus],
  [UpdateOrderStatusDto, 'orderStatus', ORDER_RULES.orderStatus],
  [ListOrdersQueryDto, 'status', ORDER_RULES.orderStatus],
  [ListOrdersQueryDto, 'limit', ORDER_QUERY_RULES.limit],
];

/** Every DTO property the OpenAPI documents describe by a rule. */
const DOCUMENTED: [Dto, string, FieldRule][] = [
  ...VALIDATED.filter(([dto]) => dto !== UserSnapshot),
  [UserDto, 'version', USER_RULES.version],
  [OrderDto, 'orderStatus', ORDER_RULES.orderStatus],
];

const STORED_ADDRESS_FIELDS = [
  USERS_VALIDATOR,
  ORDERS_VALIDATOR,
  USER_PROJECTIONS_VALIDATOR,
].flatMap((validator) =>
  ADDRESS_FIELDS.map((field): [CollectionValidator, string, FieldRule] => [
    validator,
    `deliveryAddress.${field}`,
    ADDRESS_LINE,
  ]),
);

/** Every validator field a rule states. */
const STORED: [CollectionValidator, string, FieldRule][] = [
  ...STORED_ADDRESS_FIELDS,
  [USERS_VALIDATOR, 'firstName', USER_RULES.firstName],
  [USERS_VALIDATOR, 'lastName', USER_RULES.lastName],
  [USERS_VALIDATOR, 'phoneNumber', USER_RULES.phoneNumber],
  [USERS_VALIDATOR, 'emails', USER_RULES.emails],
  [USERS_VALIDATOR, 'version', USER_RULES.version],
  [USER_PROJECTIONS_VALIDATOR, 'emails', EMAIL_LIST],
  [USER_PROJECTIONS_VALIDATOR, 'version', USER_RULES.version],
  [ORDERS_VALIDATOR, 'items', ORDER_RULES.items],
  [ORDERS_VALIDATOR, 'items.itemId', ORDER_ITEM_RULES.itemId],
  [ORDERS_VALIDATOR, 'items.quantity', ORDER_ITEM_RULES.quantity],
  [ORDERS_VALIDATOR, 'items.price', ORDER_ITEM_RULES.price],
  [ORDERS_VALIDATOR, 'userEmails', ORDER_RULES.userEmails],
  [ORDERS_VALIDATOR, 'totalPrice', ORDER_RULES.totalPrice],
  [ORDERS_VALIDATOR, 'orderStatus', ORDER_RULES.orderStatus],
  [ORDERS_VALIDATOR, 'userVersion', ORDER_RULES.userVersion],
];

type PropRule = Extract<FieldRule, { kind: 'integer' | 'amount' | 'choice' }>;

/** Every Mongoose path whose minimum or enum a rule states. */
const PROPS: [string, Schema, string, PropRule][] = [
  ['User', UserSchema, 'version', USER_RULES.version],
  ['UserProjection', UserProjectionSchema, 'version', USER_RULES.version],
  ['OrderItem', OrderItemSchema, 'quantity', ORDER_ITEM_RULES.quantity],
  ['OrderItem', OrderItemSchema, 'price', ORDER_ITEM_RULES.price],
  ['Order', OrderSchema, 'totalPrice', ORDER_RULES.totalPrice],
  ['Order', OrderSchema, 'orderStatus', ORDER_RULES.orderStatus],
  ['Order', OrderSchema, 'userVersion', ORDER_RULES.userVersion],
];

/** Every path of a Mongoose schema, a subdocument's as `parent.child`. */
function schemaPaths(schema: Schema, prefix = ''): [string, SchemaType][] {
  const paths: [string, SchemaType][] = [];
  schema.eachPath((path, type) => {
    paths.push([prefix + path, type]);
    if ('schema' in type && type.schema instanceof Schema) {
      paths.push(...schemaPaths(type.schema, `${prefix}${path}.`));
    }
  });
  return paths;
}

describe('validation rules, stated once in the contracts tables', () => {
  it.each(
    VALIDATED.map(([dto, property, rule]) => [`${dto.name}.${property}`, dto, property, rule]),
  )('%s runs the checks of its rule', (_, dto, property, rule) => {
    expect(checksMissing(dto, property, rule)).toEqual([]);
  });

  it.each(
    DOCUMENTED.map(([dto, property, rule]) => [`${dto.name}.${property}`, dto, property, rule]),
  )('%s documents its rule', (_, dto, property, rule) => {
    expect(docsDiffer(dto, property, rule)).toEqual([]);
  });

  it('every validator field states its rule', () => {
    expect(
      STORED.flatMap(([validator, path, rule]) => validatorDiffers(validator, path, rule)),
    ).toEqual([]);
  });

  it('every Mongoose minimum and enum states its rule', () => {
    expect(PROPS.flatMap(([, schema, path, rule]) => propDiffers(schema, path, rule))).toEqual([]);
  });

  // The validators check more than the schemas (lengths, patterns, event types); what a schema
  // checks, its validator checks alike.
  it.each([...USERS_DATABASE_COLLECTIONS, ...ORDERS_DATABASE_COLLECTIONS])(
    "$modelName: each minimum and enum of the schema is the validator's",
    ({ schema, validator }) => {
      for (const [path, type] of schemaPaths(schema)) {
        const { min, enum: values } = type.options;
        if (min !== undefined) {
          expect([path, fieldOf(validator.$jsonSchema, path).minimum]).toEqual([path, min]);
        }
        if (values !== undefined) {
          expect([path, fieldOf(validator.$jsonSchema, path).enum]).toEqual([path, values]);
        }
      }
    },
  );
});

describe('the checks catch a place that states another rule', () => {
  const shorter = text({ nonEmpty: true, maxLength: 199 });

  it('a DTO whose checks differ', () => {
    class Planted {
      @Validated(shorter)
      street!: string;
    }
    expect(checksMissing(Planted, 'street', ADDRESS_LINE)).toEqual([
      expect.stringContaining('"maxLength",[200]'),
    ]);
  });

  it('OpenAPI metadata that differs', () => {
    expect(docsDiffer(UserDto, 'version', ORDER_RULES.userVersion)).toEqual([
      'UserDto.version documents minimum otherwise',
    ]);
  });

  it('a validator field that differs', () => {
    const planted: CollectionValidator = {
      $jsonSchema: { bsonType: 'object', properties: { street: bsonSchemaOf(shorter) } },
    };
    expect(validatorDiffers(planted, 'street', ADDRESS_LINE)).toHaveLength(1);
  });

  it('a Mongoose prop that differs', () => {
    const planted = new Schema({ version: { type: Number, min: 0 } });
    expect(propDiffers(planted, 'version', USER_RULES.version)).toEqual(['version min']);
  });
});
