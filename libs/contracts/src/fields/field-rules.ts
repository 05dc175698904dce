import { ORDER_STATUSES } from '../orders/order-status';
import { amount, choice, integer, list, text } from './field-rule';

/*
 * Every limit of what the API accepts and the database stores, each stated once, one table per
 * entity. The DTOs, the OpenAPI documents, the `$jsonSchema` validators and the Mongoose schemas
 * are produced from these rules (validation-rules.spec.ts checks each output against them).
 */

/** Each address field: required, non-empty after trimming. */
export const ADDRESS_LINE = text({ nonEmpty: true, maxLength: 200 });

/** A list of email addresses; the longest address SMTP can carry. */
export const EMAIL_LIST = list({
  minItems: 1,
  maxItems: 10,
  uniqueItems: true,
  items: text({ email: true, maxLength: 254 }),
});

/** A user's first version; each change adds one. */
export const FIRST_USER_VERSION = 1;

export const USER_RULES = {
  firstName: text({ maxLength: 100 }),
  lastName: text({ maxLength: 100 }),
  phoneNumber: text({ pattern: /^[0-9]{10,15}$/, patternRule: '10 to 15 digits' }),
  emails: EMAIL_LIST,
  version: integer({ minimum: FIRST_USER_VERSION }),
} as const;

/*
 * Together the item limits keep Σ quantity × price in cents below 2^53, so totals are exact to the
 * cent (order-total.spec.ts checks the largest order).
 */
export const ORDER_ITEM_RULES = {
  itemId: text({ nonEmpty: true, maxLength: 200 }),
  quantity: integer({ minimum: 1, maximum: 10_000 }),
  /** Unit price, at most two decimals (cents). */
  price: amount({ minimum: 0, maximum: 1_000_000, maxDecimalPlaces: 2 }),
} as const;

export const ORDER_RULES = {
  items: list({ minItems: 1, maxItems: 100 }),
  userEmails: EMAIL_LIST,
  /** A sum of prices, none of them negative. */
  totalPrice: amount({ minimum: 0 }),
  orderStatus: choice(ORDER_STATUSES),
  /** The user version an order's contact fields reflect; 0 when they came from the request. */
  userVersion: integer({ minimum: 0 }),
} as const;

/** The `Idempotency-Key` of a create: 1–255 visible ASCII characters (no spaces or controls). */
export const IDEMPOTENCY_KEY = text({
  nonEmpty: true,
  maxLength: 255,
  pattern: /^[\x21-\x7e]{1,255}$/,
  patternRule: '1-255 visible ASCII characters, without spaces',
});

/** GET /orders: a page holds DEFAULT_PAGE_SIZE orders unless `limit` asks for another size. */
export const DEFAULT_PAGE_SIZE = 100;

export const ORDER_QUERY_RULES = {
  limit: integer({ minimum: 1, maximum: 1000 }),
  /** The opaque cursor of the next page, as the Link header gave it. */
  after: text({ pattern: /^[A-Za-z0-9_-]{1,200}$/, patternRule: 'a cursor from a Link header' }),
} as const;
