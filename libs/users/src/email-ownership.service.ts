import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Metrics, ProblemException, ProblemType } from '@aware/common';
import { EmailClaimsRepository, UsersRepository } from '@aware/database';

/** How long a claim protects an in-flight write before an unused claim may be taken over. */
export const EMAIL_CLAIM_LEASE_MS = 30_000;

/** Rounds of "read the current claim, insert the next generation" before giving up with 409. */
const CLAIM_ATTEMPTS = 5;

export class EmailTakenProblem extends ProblemException {
  constructor(email: string) {
    super(HttpStatus.CONFLICT, ProblemType.emailTaken, `Email ${email} is already in use.`, {
      errors: [{ field: 'emails', message: `${email} is already in use by another user` }],
    });
  }
}

/**
 * Email uniqueness that holds under concurrency on every engine, without a multikey unique index:
 * each email has a chain of claim generations, and a write proceeds only after its user inserted
 * the next generation of each new email; the unique key decides every race. A claim is binding
 * while its owner holds the email or while its lease runs; an expired claim whose owner no longer
 * holds the email (a crashed or abandoned write) can be taken over, and a released one at once.
 */
@Injectable()
export class EmailOwnership {
  private readonly logger = new Logger(EmailOwnership.name);
  private readonly cleanupFailures: Counter;

  constructor(
    private readonly claims: EmailClaimsRepository,
    private readonly users: UsersRepository,
    metrics: Metrics,
  ) {
    this.cleanupFailures = metrics.counter({
      name: 'aware_email_claim_cleanup_failures_total',
      help: 'Claim releases and prunes that failed after a write; the claim lease frees them later.',
    });
  }

  /** Claims every email for `userId` or throws EmailTakenProblem naming the first taken one. */
  async claim(emails: readonly string[], userId: string): Promise<void> {
    // One command for the usual case: emails nobody ever claimed.
    const contested = await this.claims.insertFirstClaims(emails, userId, new Date());
    for (const email of contested) {
      await this.claimContested(email, userId);
    }
  }

  /**
   * Gives back the claims of a user that was never written (its id is unique to the request).
   * Best effort and never throws: an unreleased claim frees itself when its lease ends.
   */
  async release(emails: readonly string[], userId: string): Promise<void> {
    await this.settle(emails, async (email) => {
      const current = await this.claims.current(email);
      if (current?.userId === userId) await this.claims.insertNext(current, null, new Date());
    });
  }

  /**
   * Frees emails a user just dropped so others can take them at once; runs after the write, so
   * it never throws. A claim is released only while its user still owns it and does not hold
   * the email again.
   */
  async releaseDropped(emails: readonly string[], userId: string): Promise<void> {
    await this.settle(emails, async (email) => {
      const current = await this.claims.current(email);
      if (current?.userId !== userId || (await this.users.holdsEmail(userId, email))) return;
      await this.claims.insertNext(current, null, new Date());
    });
  }

  private async claimContested(email: string, userId: string): Promise<void> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const current = await this.claims.current(email);
      // Generation 0 exists (its insert collided), so this only guards against a wiped store.
      if (!current) throw new EmailTakenProblem(email);
      const now = new Date();
      const expired = now.getTime() - current.claimedAt.getTime() > EMAIL_CLAIM_LEASE_MS;
      if (current.userId === userId && !expired) return;
      const owner = current.userId;
      const heldByOther = owner !== null && owner !== userId;
      if (heldByOther && (!expired || (await this.users.holdsEmail(owner, email)))) {
        throw new EmailTakenProblem(email);
      }
      if (await this.claims.insertNext(current, userId, now)) {
        void this.settle([email], () => this.claims.pruneBefore(email, current.generation + 1));
        return;
      }
    }
    throw new EmailTakenProblem(email);
  }

  /** Runs clean-up work per email; failures are logged and counted, never thrown. */
  private async settle(
    emails: readonly string[],
    work: (email: string) => Promise<void>,
  ): Promise<void> {
    for (const email of emails) {
      try {
        await work(email);
      } catch (error) {
        this.cleanupFailures.inc();
        this.logger.warn(`claim clean-up of ${email} deferred to its lease: ${String(error)}`);
      }
    }
  }
}
