import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { Schema, type SchemaType } from 'mongoose';
import type { BsonSchema } from '../field-rules';
import { ORDERS_DATABASE_COLLECTIONS, USERS_DATABASE_COLLECTIONS } from './database-setup';

/** The modules that state the rules: the contracts' DTOs, the validators, the Mongoose schemas. */
interface Sources {
  contracts: typeof import('@aware/contracts');
  validators: typeof import('./collection-validators');
  orders: typeof import('../orders/order.schema');
  users: typeof import('../users/user.schema');
  projections: typeof import('../orders/user-projection.schema');
}

async function loadSources(): Promise<Sources> {
  return {
    contracts: await import('@aware/contracts'),
    validators: await import('./collection-validators'),
    orders: await import('../orders/order.schema'),
    users: await import('../users/user.schema'),
    projections: await import('../orders/user-projection.schema'),
  };
}

/** Packages the sources use, kept across fresh loads: none reads a constant; they load slowly. */
const SHARED_PACKAGES = [
  '@nestjs/common',
  '@nestjs/mongoose',
  '@nestjs/swagger',
  'class-transformer',
  'class-validator',
  'mongoose',
];

/** The sources loaded afresh, with one constant of a contracts module set to `value`. */
async function loadSourcesWith(module: string, constant: string, value: unknown): Promise<Sources> {
  const shared = SHARED_PACKAGES.map((name) => [name, jest.requireActual<object>(name)] as const);
  let sources: Sources | undefined;
  await jest.isolateModulesAsync(async () => {
    for (const [name, loaded] of shared) jest.doMock(name, () => loaded);
    jest.doMock(module, () => ({ ...jest.requireActual<object>(module), [constant]: value }));
    sources = await loadSources();
  });
  if (!sources) throw new Error('the sources did not load');
  return sources;
}

/** One place that states a rule, and what it says there. */
type Statement = readonly [where: string, says: unknown];
type Dto = new () => object;
type ValidatorName = 'USERS_VALIDATOR' | 'ORDERS_VALIDATOR' | 'USER_PROJECTIONS_VALIDATOR';

/** The validations a class-validator decorator (by name, e.g. `maxLength`) put on a property. */
function validationsOf(dto: Dto, property: string, decorator: string) {
  return getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .filter(({ propertyName, name }) => propertyName === property && name === decorator);
}

/** The argument of the property's one such decorator, e.g. MaxLength's length. */
function dtoSays(dto: Dto, property: string, decorator: string): Statement {
  const [validation, ...more] = validationsOf(dto, property, decorator);
  if (!validation || more.length > 0) {
    throw new Error(`${dto.name}.${property} has not exactly one ${decorator}`);
  }
  return [`${dto.name}.${property} @${decorator}`, validation.constraints[0]];
}

/** An option of the property's @ApiProperty, as the OpenAPI documents show it. */
function docsSay(dto: Dto, property: string, option: string): Statement {
  const prototype: object = dto.prototype;
  const options: Record<string, unknown> | undefined = Reflect.getMetadata(
    DECORATORS.API_MODEL_PROPERTIES,
    prototype,
    property,
  );
  return [`${dto.name}.${property} @ApiProperty ${option}`, options?.[option]];
}

/** A field's schema within a validator; a dotted path steps into objects and array items. */
function fieldOf(schema: BsonSchema, path: string): BsonSchema {
  return path.split('.').reduce((parent, name) => {
    const field = (parent.items ?? parent).properties?.[name];
    if (!field) throw new Error(`the validator has no field ${path}`);
    return field;
  }, schema);
}

function validatorSays(
  { validators }: Sources,
  validator: ValidatorName,
  path: string,
  keyword: keyof BsonSchema,
): Statement {
  return [
    `${validator} ${path} ${keyword}`,
    fieldOf(validators[validator].$jsonSchema, path)[keyword],
  ];
}

function schemaSays(name: string, schema: Schema, path: string, option: string): Statement {
  return [`${name} ${path} ${option}`, schema.path(path).options[option]];
}

/** Every property that takes an email list, all through EmailList(). */
function emailListsIn({ contracts: c }: Sources): [Dto, string][] {
  return [
    [c.CreateUserDto, 'emails'],
    [c.UpdateUserDto, 'emails'],
    [c.CreateOrderDto, 'userEmails'],
    [c.UpdateOrderDetailsDto, 'userEmails'],
    [c.UserSnapshot, 'emails'],
  ];
}

const STORED_EMAIL_LISTS: [ValidatorName, string][] = [
  ['USERS_VALIDATOR', 'emails'],
  ['ORDERS_VALIDATOR', 'userEmails'],
  ['USER_PROJECTIONS_VALIDATOR', 'emails'],
];

const STORED_ADDRESSES: ValidatorName[] = [
  'USERS_VALIDATOR',
  'ORDERS_VALIDATOR',
  'USER_PROJECTIONS_VALIDATOR',
];

/** A pattern as a RegExp, so a DTO's RegExp and a schema's string compare, flags included. */
function asRegExp([where, says]: Statement): Statement {
  return [where, says instanceof RegExp ? says : new RegExp(String(says))];
}

interface Rule {
  constant: keyof Sources['contracts'];
  /** The module that exports it. */
  module: string;
  /** Every place in the DTOs, their @ApiProperty, the validators and the schemas that states it. */
  statedIn(sources: Sources): Statement[];
}

const LIMITS = '@aware/contracts/limits';

const RULES: Rule[] = [
  {
    constant: 'ADDRESS_FIELD_MAX_LENGTH',
    module: LIMITS,
    statedIn: (sources) =>
      sources.contracts.ADDRESS_FIELDS.flatMap((field) => [
        dtoSays(sources.contracts.AddressDto, field, 'maxLength'),
        docsSay(sources.contracts.AddressDto, field, 'maxLength'),
        ...STORED_ADDRESSES.map((validator) =>
          validatorSays(sources, validator, `deliveryAddress.${field}`, 'maxLength'),
        ),
      ]),
  },
  {
    constant: 'MIN_EMAILS',
    module: LIMITS,
    statedIn: (sources) => [
      ...emailListsIn(sources).flatMap(([dto, property]) => [
        dtoSays(dto, property, 'arrayMinSize'),
        docsSay(dto, property, 'minItems'),
      ]),
      ...STORED_EMAIL_LISTS.map(([validator, path]) =>
        validatorSays(sources, validator, path, 'minItems'),
      ),
    ],
  },
  {
    constant: 'MAX_EMAILS',
    module: LIMITS,
    statedIn: (sources) => [
      ...emailListsIn(sources).flatMap(([dto, property]) => [
        dtoSays(dto, property, 'arrayMaxSize'),
        docsSay(dto, property, 'maxItems'),
      ]),
      ...STORED_EMAIL_LISTS.map(([validator, path]) =>
        validatorSays(sources, validator, path, 'maxItems'),
      ),
    ],
  },
  {
    constant: 'EMAIL_MAX_LENGTH',
    module: LIMITS,
    statedIn: (sources) => [
      ...emailListsIn(sources).map(([dto, property]) => dtoSays(dto, property, 'maxLength')),
      ...STORED_EMAIL_LISTS.map(([validator, path]): Statement => {
        const items = fieldOf(sources.validators[validator].$jsonSchema, path).items;
        return [`${validator} ${path} items maxLength`, items?.maxLength];
      }),
    ],
  },
  {
    constant: 'NAME_MAX_LENGTH',
    module: LIMITS,
    statedIn: (sources) =>
      ['firstName', 'lastName'].flatMap((name) => [
        dtoSays(sources.contracts.CreateUserDto, name, 'maxLength'),
        docsSay(sources.contracts.CreateUserDto, name, 'maxLength'),
        validatorSays(sources, 'USERS_VALIDATOR', name, 'maxLength'),
      ]),
  },
  {
    constant: 'PHONE_NUMBER_PATTERN',
    module: LIMITS,
    statedIn: (sources) =>
      [
        dtoSays(sources.contracts.CreateUserDto, 'phoneNumber', 'matches'),
        docsSay(sources.contracts.CreateUserDto, 'phoneNumber', 'pattern'),
        validatorSays(sources, 'USERS_VALIDATOR', 'phoneNumber', 'pattern'),
      ].map(asRegExp),
  },
  {
    constant: 'FIRST_USER_VERSION',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.UserSnapshot, 'version', 'min'),
      docsSay(sources.contracts.UserDto, 'version', 'minimum'),
      validatorSays(sources, 'USERS_VALIDATOR', 'version', 'minimum'),
      validatorSays(sources, 'USER_PROJECTIONS_VALIDATOR', 'version', 'minimum'),
      schemaSays('User', sources.users.UserSchema, 'version', 'min'),
      schemaSays('UserProjection', sources.projections.UserProjectionSchema, 'version', 'min'),
    ],
  },
  {
    constant: 'MIN_ORDER_ITEMS',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.CreateOrderDto, 'items', 'arrayMinSize'),
      docsSay(sources.contracts.CreateOrderDto, 'items', 'minItems'),
      validatorSays(sources, 'ORDERS_VALIDATOR', 'items', 'minItems'),
    ],
  },
  {
    constant: 'MAX_ORDER_ITEMS',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.CreateOrderDto, 'items', 'arrayMaxSize'),
      docsSay(sources.contracts.CreateOrderDto, 'items', 'maxItems'),
      validatorSays(sources, 'ORDERS_VALIDATOR', 'items', 'maxItems'),
    ],
  },
  {
    constant: 'ITEM_ID_MAX_LENGTH',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.OrderItemDto, 'itemId', 'maxLength'),
      docsSay(sources.contracts.OrderItemDto, 'itemId', 'maxLength'),
      validatorSays(sources, 'ORDERS_VALIDATOR', 'items.itemId', 'maxLength'),
    ],
  },
  {
    constant: 'MIN_QUANTITY',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.OrderItemDto, 'quantity', 'min'),
      docsSay(sources.contracts.OrderItemDto, 'quantity', 'minimum'),
      validatorSays(sources, 'ORDERS_VALIDATOR', 'items.quantity', 'minimum'),
      schemaSays('OrderItem', sources.orders.OrderItemSchema, 'quantity', 'min'),
    ],
  },
  {
    constant: 'MAX_QUANTITY',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.OrderItemDto, 'quantity', 'max'),
      docsSay(sources.contracts.OrderItemDto, 'quantity', 'maximum'),
    ],
  },
  {
    constant: 'MIN_PRICE',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.OrderItemDto, 'price', 'min'),
      docsSay(sources.contracts.OrderItemDto, 'price', 'minimum'),
      validatorSays(sources, 'ORDERS_VALIDATOR', 'items.price', 'minimum'),
      schemaSays('OrderItem', sources.orders.OrderItemSchema, 'price', 'min'),
    ],
  },
  {
    constant: 'MAX_PRICE',
    module: LIMITS,
    statedIn: (sources) => [
      dtoSays(sources.contracts.OrderItemDto, 'price', 'max'),
      docsSay(sources.contracts.OrderItemDto, 'price', 'maximum'),
    ],
  },
  {
    constant: 'ORDER_STATUSES',
    module: '@aware/contracts/orders/order-status',
    statedIn: (sources) => {
      const { CreateOrderDto, ListOrdersQueryDto, OrderDto, UpdateOrderStatusDto } =
        sources.contracts;
      return [
        dtoSays(CreateOrderDto, 'orderStatus', 'isIn'),
        dtoSays(UpdateOrderStatusDto, 'orderStatus', 'isIn'),
        dtoSays(ListOrdersQueryDto, 'status', 'isIn'),
        docsSay(CreateOrderDto, 'orderStatus', 'enum'),
        docsSay(UpdateOrderStatusDto, 'orderStatus', 'enum'),
        docsSay(ListOrdersQueryDto, 'status', 'enum'),
        docsSay(OrderDto, 'orderStatus', 'enum'),
        validatorSays(sources, 'ORDERS_VALIDATOR', 'orderStatus', 'enum'),
        schemaSays('Order', sources.orders.OrderSchema, 'orderStatus', 'enum'),
      ];
    },
  },
];

/** Another value of the same kind, to see every statement of a rule follow its constant. */
function changed(value: unknown): unknown {
  if (typeof value === 'number') return value + 1;
  if (value instanceof RegExp) return new RegExp(`${value.source}|^-$`);
  if (Array.isArray(value)) return [...(value as unknown[]), 'changed'];
  throw new Error(`no changed value for ${String(value)}`);
}

/** Each place and what it says, next to each place and what it should say. */
function compared(statements: Statement[], value: unknown): [object, object] {
  return [
    Object.fromEntries(statements),
    Object.fromEntries(statements.map(([where]) => [where, value])),
  ];
}

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

/*
 * Each rule is stated in several places, and each must read its constant: the first test checks
 * that they all say the same; the second loads them again with the constant changed, which also
 * catches a hand-written copy that agrees today.
 */
describe('validation rules', () => {
  let sources: Sources;

  beforeAll(async () => {
    sources = await loadSources();
  });

  it.each(RULES)('$constant: every DTO, validator and schema says the same', (rule) => {
    const [stated, expected] = compared(rule.statedIn(sources), sources.contracts[rule.constant]);
    expect(stated).toEqual(expected);
  });

  it.each(RULES)('$constant: changing it changes all of them', async (rule) => {
    const value = changed(sources.contracts[rule.constant]);
    const changedSources = await loadSourcesWith(rule.module, rule.constant, value);
    const [stated, expected] = compared(rule.statedIn(changedSources), value);
    expect(stated).toEqual(expected);
  });

  it('what the API requires non-empty, the validators do too', () => {
    const { AddressDto, ADDRESS_FIELDS, OrderItemDto } = sources.contracts;
    for (const field of ADDRESS_FIELDS) {
      expect(validationsOf(AddressDto, field, 'isNotEmpty')).toHaveLength(1);
    }
    expect(validationsOf(OrderItemDto, 'itemId', 'isNotEmpty')).toHaveLength(1);
    const [stated, expected] = compared(
      [
        ...ADDRESS_FIELDS.flatMap((field) =>
          STORED_ADDRESSES.map((validator) =>
            validatorSays(sources, validator, `deliveryAddress.${field}`, 'minLength'),
          ),
        ),
        validatorSays(sources, 'ORDERS_VALIDATOR', 'items.itemId', 'minLength'),
      ],
      1,
    );
    expect(stated).toEqual(expected);
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
