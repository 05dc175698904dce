import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { insertUnlessDuplicate } from '../mongo-errors';
import { WriterLease } from './writer-lease.schema';

export type WriterLeaseRecord = WriterLease;

/** The only code that touches writer leases. */
@Injectable()
export class WriterLeasesRepository {
  constructor(@InjectModel(WriterLease.name) private readonly leases: Model<WriterLease>) {}

  current(name: string): Promise<WriterLeaseRecord | null> {
    return this.leases.findOne({ name }).sort({ term: -1 }).lean<WriterLeaseRecord>().exec();
  }

  /** Inserts `term` for `owner`; false when another process inserted that term first. */
  async insertTerm(name: string, term: number, owner: string, expiresAt: Date): Promise<boolean> {
    return insertUnlessDuplicate(() =>
      this.leases.create({ _id: `${name}#${term}`, name, term, owner, expiresAt }),
    );
  }

  /** Moves the holder's own term's expiry (a renewal, or a release when `expiresAt` is now). */
  async setExpiry(name: string, term: number, expiresAt: Date): Promise<void> {
    await this.leases.updateOne({ _id: `${name}#${term}` }, { $set: { expiresAt } }).exec();
  }

  /** Drops terms before `term`; they are never inserted again. */
  async pruneBefore(name: string, term: number): Promise<void> {
    await this.leases.deleteMany({ name, term: { $lt: term } }).exec();
  }
}
