import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../mongo-errors';
import { EmailClaim } from './email-claim.schema';

export type EmailClaimRecord = EmailClaim;

/** The only code that touches email claims. */
@Injectable()
export class EmailClaimsRepository {
  constructor(@InjectModel(EmailClaim.name) private readonly claims: Model<EmailClaim>) {}

  /** True when this call created the claim; false when the email is already claimed. */
  async tryInsert(email: string, userId: string, now: Date): Promise<boolean> {
    try {
      await this.claims.create({ _id: email, userId, claimedAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  find(email: string): Promise<EmailClaimRecord | null> {
    return this.claims.findById(email).lean<EmailClaimRecord>().exec();
  }

  /** Moves a claim to a new owner only if it is still exactly the claim that was judged stale. */
  async transfer(stale: EmailClaimRecord, toUserId: string, now: Date): Promise<boolean> {
    const result = await this.claims
      .updateOne(
        { _id: stale._id, userId: stale.userId, claimedAt: stale.claimedAt },
        { $set: { userId: toUserId, claimedAt: now } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Deletes a claim only if it is still exactly as read (not re-claimed or refreshed since). */
  async releaseUnchanged(claim: EmailClaimRecord): Promise<void> {
    await this.claims
      .deleteOne({ _id: claim._id, userId: claim.userId, claimedAt: claim.claimedAt })
      .exec();
  }

  async release(emails: readonly string[], userId: string): Promise<void> {
    if (emails.length === 0) return;
    await this.claims.deleteMany({ _id: { $in: emails }, userId }).exec();
  }
}
