import { HttpStatus, Injectable } from '@nestjs/common';
import { ProblemException, ProblemType } from '@aware/common';
import { EmailClaimsRepository, UsersRepository } from '@aware/database';

/** How long a claim protects an in-flight write before an unused claim may be taken over. */
export const EMAIL_CLAIM_LEASE_MS = 30_000;

export class EmailTakenProblem extends ProblemException {
  constructor(email: string) {
    super(HttpStatus.CONFLICT, ProblemType.emailTaken, `Email ${email} is already in use.`, {
      errors: [{ field: 'emails', message: `${email} is already in use by another user` }],
    });
  }
}

/**
 * Email uniqueness that holds under concurrency without a multikey unique index: each email has
 * one claim document keyed by it, and a user write proceeds only after claiming its new emails.
 * A claim is binding while its owner holds the email or while its lease runs; an expired claim
 * whose owner no longer holds the email (a crashed or abandoned write) can be taken over.
 */
@Injectable()
export class EmailOwnership {
  constructor(
    private readonly claims: EmailClaimsRepository,
    private readonly users: UsersRepository,
  ) {}

  /** Claims every email for `userId` or throws EmailTakenProblem naming the first taken one. */
  async claim(emails: readonly string[], userId: string): Promise<void> {
    for (const email of emails) {
      await this.claimOne(email, userId);
    }
  }

  /** Gives back the claims of a user that was never written (its id is unique to the request). */
  release(emails: readonly string[], userId: string): Promise<void> {
    return this.claims.release(emails, userId);
  }

  /**
   * Frees emails a user just dropped so others can take them at once. A claim is removed only
   * if the user still does not hold the email and nobody re-claimed it since it was read.
   */
  async releaseDropped(emails: readonly string[], userId: string): Promise<void> {
    for (const email of emails) {
      const claim = await this.claims.find(email);
      if (claim?.userId !== userId || (await this.users.holdsEmail(userId, email))) continue;
      await this.claims.releaseUnchanged(claim);
    }
  }

  private async claimOne(email: string, userId: string): Promise<void> {
    // Each conditional write below can lose to a concurrent one; re-read and decide again.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const now = new Date();
      if (await this.claims.tryInsert(email, userId, now)) return;
      const existing = await this.claims.find(email);
      if (!existing) continue;
      if (existing.userId === userId) {
        if (await this.claims.transfer(existing, userId, now)) return;
        continue;
      }
      const expired = now.getTime() - existing.claimedAt.getTime() > EMAIL_CLAIM_LEASE_MS;
      if (!expired || (await this.users.holdsEmail(existing.userId, email))) {
        throw new EmailTakenProblem(email);
      }
      if (await this.claims.transfer(existing, userId, now)) return;
    }
    throw new EmailTakenProblem(email);
  }
}
