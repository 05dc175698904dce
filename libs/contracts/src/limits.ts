/**
 * The limits of what the API accepts and the database stores, each written once: the DTOs
 * validate against them, and the database's `$jsonSchema` validators and Mongoose schemas are
 * built from them, so changing one here changes it everywhere (validation-rules.spec.ts checks).
 */

/** Each address field is required, non-empty after trimming, and at most this many characters. */
export const ADDRESS_FIELD_MAX_LENGTH = 200;

/** How many addresses an email list holds. */
export const MIN_EMAILS = 1;
export const MAX_EMAILS = 10;
/** The longest address SMTP can carry. */
export const EMAIL_MAX_LENGTH = 254;

/** `firstName` and `lastName`. */
export const NAME_MAX_LENGTH = 100;

/** `phoneNumber`; the rule is the same in words, for error messages. */
export const PHONE_NUMBER_PATTERN = /^[0-9]{10,15}$/;
export const PHONE_NUMBER_RULE = '10 to 15 digits';

/** A user's first version; each change adds one. */
export const FIRST_USER_VERSION = 1;

/*
 * Order limits. Together they keep Σ quantity × price in cents below 2^53, so totals are exact to
 * the cent (order-total.spec.ts checks the largest order).
 */
export const MIN_ORDER_ITEMS = 1;
export const MAX_ORDER_ITEMS = 100;
export const ITEM_ID_MAX_LENGTH = 200;
export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 10_000;
export const MIN_PRICE = 0;
export const MAX_PRICE = 1_000_000;
