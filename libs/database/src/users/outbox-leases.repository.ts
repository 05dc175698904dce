import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../mongo-errors';
import { OutboxLease } from './outbox-lease.schema';

/** The only code that touches outbox leases. */
@Injectable()
export class OutboxLeasesRepository {
  constructor(@InjectModel(OutboxLease.name) private readonly leases: Model<OutboxLease>) {}

  /**
   * Takes the lease on a user's outbox for `owner` until `expiresAt`. An expired lease (its
   * relay died mid-publish) is removed first, then the insert decides who gets it.
   */
  async acquire(userId: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    if (await this.tryInsert(userId, owner, expiresAt)) return true;
    const removed = await this.leases.deleteOne({ _id: userId, expiresAt: { $lt: now } }).exec();
    return removed.deletedCount === 1 && this.tryInsert(userId, owner, expiresAt);
  }

  async release(userId: string, owner: string): Promise<void> {
    await this.leases.deleteOne({ _id: userId, owner }).exec();
  }

  private async tryInsert(userId: string, owner: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.leases.create({ _id: userId, owner, expiresAt });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
