/** A delivery address; every field required, non-empty, at most ADDRESS_LINE long. */
export interface Address {
  street: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

export const ADDRESS_FIELDS = ['street', 'city', 'state', 'postalCode', 'country'] as const;

export function sameAddress(a: Address, b: Address): boolean {
  return ADDRESS_FIELDS.every((field) => a[field] === b[field]);
}

/** A copy holding exactly the address fields, in a fixed order (no stray properties). */
export function toAddress(source: Address): Address {
  return {
    street: source.street,
    city: source.city,
    state: source.state,
    postalCode: source.postalCode,
    country: source.country,
  };
}

export function sameEmails(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((email, index) => email === b[index]);
}
