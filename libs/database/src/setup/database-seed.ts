import type { OrdersRepository } from '../orders/orders.repository';
import type { UserProjectionsRepository } from '../orders/user-projections.repository';
import type { EmailClaimsRepository } from '../users/email-claims.repository';
import type { UserRecord, UsersRepository } from '../users/users.repository';
import { SEED_ORDERS, SEED_USERS } from './seed-data';

/** Where the seed goes: the users database and the orders database. */
interface SeedTarget {
  users: UsersRepository;
  emailClaims: EmailClaimsRepository;
  projections: UserProjectionsRepository;
  orders: OrdersRepository;
}

export interface SeedCount {
  inserted: number;
  present: number;
}

interface SeedReport {
  users: SeedCount;
  emailClaims: SeedCount;
  projections: SeedCount;
  orders: SeedCount;
}

class SeedConflictError extends Error {
  constructor(email: string, seedUserId: string, ownerId: string) {
    super(`seed user ${seedUserId}: email ${email} already belongs to user ${ownerId}`);
    this.name = 'SeedConflictError';
  }
}

function counter(): SeedCount {
  return { inserted: 0, present: 0 };
}

function tally(count: SeedCount, inserted: boolean): void {
  if (inserted) count.inserted += 1;
  else count.present += 1;
}

/**
 * Inserts the sample users (with their email claims), their projections in the orders database
 * and the sample orders; whatever is already there, by key, is left as it is. A seed user that
 * exists in any version counts as present: it is never reset to version 1.
 */
export async function seedDatabases(target: SeedTarget): Promise<SeedReport> {
  const report: SeedReport = {
    users: counter(),
    emailClaims: counter(),
    projections: counter(),
    orders: counter(),
  };
  for (const user of SEED_USERS) {
    if (await target.users.findByUserId(user.userId)) {
      tally(report.users, false);
    } else {
      // Claims first, as the user services do: the claim is what makes an email one user's.
      for (const email of user.emails) {
        tally(report.emailClaims, await claim(target.emailClaims, email, user));
      }
      tally(report.users, await target.users.insertVersion(user));
    }
    const state = {
      userId: user.userId,
      version: user.version,
      emails: user.emails,
      deliveryAddress: user.deliveryAddress,
    };
    tally(report.projections, await target.projections.applyIfNewer(state, user.event.occurredAt));
  }
  for (const order of SEED_ORDERS) {
    tally(report.orders, await target.orders.insertIfAbsent(order));
  }
  return report;
}

/** True when inserted; false when this user holds it already (a seed cut short, re-run). */
async function claim(
  claims: EmailClaimsRepository,
  email: string,
  user: UserRecord,
): Promise<boolean> {
  const contested = await claims.insertFirstClaims([email], user.userId, user.event.occurredAt);
  if (contested.length === 0) return true;
  const owner = await claims.current(email);
  if (owner && owner.userId !== user.userId) {
    throw new SeedConflictError(email, user.userId, owner.userId ?? '(released)');
  }
  return false;
}
