import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Metrics } from '@aware/common';
import { EmailClaimsRepository, UsersRepository, type EmailClaimRecord } from '@aware/database';
import { EmailTakenProblem } from './user-problems';

/** How long a claim protects an in-flight write before an unused claim may be taken over. */
const EMAIL_CLAIM_LEASE_MS = 30_000;

/** Rounds of "read the current claim, insert the next generation" before giving up with 409. */
const CLAIM_ATTEMPTS = 5;

/**
 * Email uniqueness that holds under concurrency on every engine, without a multikey unique index:
 * each email has a chain of claim generations, and a write proceeds only after its user inserted
 * the newest generation of each email it adds; the unique key decides every race.
 *
 * A claim binds while its owner holds the email, and while it may still protect a write in
 * flight: until its lease ends or until the owner stored a version at or after the claim (that
 * write landed, with or without the email). So an email a user drops is free as soon as the
 * version without it is stored, with no extra write; a released claim is free at once.
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
      help: 'Claim releases and prunes that failed; the claim lease frees such claims later.',
    });
  }

  /**
   * Claims every email for `userId` as of `now` (the instant its version will carry), or throws
   * EmailTakenProblem naming the first taken one.
   */
  async claim(emails: readonly string[], userId: string, now: Date): Promise<void> {
    // One command for the usual case: emails nobody ever claimed.
    const contested = await this.claims.insertFirstClaims(emails, userId, now);
    for (const email of contested) {
      await this.claimContested(email, userId, now);
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

  private async claimContested(email: string, userId: string, now: Date): Promise<void> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const current = await this.claims.current(email);
      // Generation 0 exists (its insert collided), so this only guards against a wiped store.
      if (!current) throw new EmailTakenProblem(email);
      const owner = current.userId;
      if (owner !== null && owner !== userId && (await this.binds(current, owner, email, now))) {
        throw new EmailTakenProblem(email);
      }
      // Our own claim too gets a new generation: another writer may be taking it over.
      if (await this.claims.insertNext(current, userId, now)) {
        const superseded = current.generation + 1;
        void this.settle([email], () => this.claims.pruneBefore(email, superseded));
        return;
      }
    }
    throw new EmailTakenProblem(email);
  }

  private async binds(
    claim: EmailClaimRecord,
    owner: string,
    email: string,
    now: Date,
  ): Promise<boolean> {
    const newest = await this.users.findByUserId(owner);
    if (newest?.emails.includes(email)) return true;
    const expired = now.getTime() - claim.claimedAt.getTime() > EMAIL_CLAIM_LEASE_MS;
    const ownerWroteSince = newest !== null && newest.event.occurredAt >= claim.claimedAt;
    return !expired && !ownerWroteSince;
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
