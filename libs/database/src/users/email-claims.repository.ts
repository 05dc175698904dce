import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DUPLICATE_KEY, insertUnlessDuplicate } from '../mongo-errors';
import { insertRecord, insertRecords } from '../record-inserts';
import { EmailClaim, emailClaimKey } from './email-claim.schema';

export type EmailClaimRecord = EmailClaim;

/** The only code that touches email claims. Claims are inserted, never updated. */
@Injectable()
export class EmailClaimsRepository {
  constructor(@InjectModel(EmailClaim.name) private readonly claims: Model<EmailClaim>) {}

  /**
   * First claims (generation 0) of every email in one command. Returns the emails that already
   * had a claim, which the caller must judge one by one.
   */
  async insertFirstClaims(emails: readonly string[], userId: string, now: Date): Promise<string[]> {
    if (emails.length === 0) return [];
    const documents = emails.map((email) => ({
      _id: emailClaimKey(email, 0),
      email,
      generation: 0,
      userId,
      claimedAt: now,
    }));
    try {
      await insertRecords(this.claims, documents, { ordered: false });
      return [];
    } catch (error) {
      // By shape: with more than one copy of the driver or realm around, instanceof can lie.
      if (!isBulkWriteError(error)) throw error;
      const failures = [error.writeErrors].flat();
      if (failures.some((failure) => codeOf(failure) !== DUPLICATE_KEY)) throw error;
      return failures.map((failure) => emails[failure.index]);
    }
  }

  /** The newest generation of an email's claims, or null when it was never claimed. */
  current(email: string): Promise<EmailClaimRecord | null> {
    return this.claims.findOne({ email }).sort({ generation: -1 }).lean<EmailClaimRecord>().exec();
  }

  /**
   * Inserts the generation after `current` for `userId` (null releases the email). False when
   * that generation exists: someone else moved the claim first.
   */
  async insertNext(current: EmailClaimRecord, userId: string | null, now: Date): Promise<boolean> {
    const generation = current.generation + 1;
    return insertUnlessDuplicate(() =>
      insertRecord(this.claims, {
        _id: emailClaimKey(current.email, generation),
        email: current.email,
        generation,
        userId,
        claimedAt: now,
      }),
    );
  }

  /**
   * Drops the generations a newer one superseded. Generation 0 stays: it is what makes a first
   * claim of the email collide. Superseded keys are never inserted again, so deleting them is
   * [engine-note: key-only-filters]
   * safe on engines that delete by re-reading.
   */
  async pruneBefore(email: string, generation: number): Promise<void> {
    if (generation < 2) return;
    await this.claims.deleteMany({ email, generation: { $gt: 0, $lt: generation } }).exec();
  }
}

/** The driver's WriteError has `code`; Mongoose's insertMany may hand back `{ err, index }`. */
interface WriteFailure {
  index: number;
  code?: number;
  err?: { code?: number };
}

interface BulkWriteError {
  writeErrors: WriteFailure | WriteFailure[];
}

function codeOf(failure: WriteFailure): number | undefined {
  return failure.code ?? failure.err?.code;
}

function isBulkWriteError(error: unknown): error is BulkWriteError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    error.name === 'MongoBulkWriteError' &&
    'writeErrors' in error
  );
}
