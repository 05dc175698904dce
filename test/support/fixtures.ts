import type { Address } from '@aware/contracts';
import { randomUUID } from 'node:crypto';

export function anAddress(overrides: Partial<Address> = {}): Address {
  return {
    street: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    country: 'US',
    ...overrides,
  };
}

/** An email no other test uses, so suites never collide on uniqueness. */
export function uniqueEmail(label = 'user'): string {
  return `${label}.${randomUUID().slice(0, 8)}@example.com`;
}
