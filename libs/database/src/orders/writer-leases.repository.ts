import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { insertUnlessDuplicate } from '../mongo-errors';
import { WriterLease } from './writer-lease.schema';

export type WriterLeaseRecord = WriterLease;

/** The only code that touches writer leases. */
@Injectable()
export class WriterLeasesRepository {
  constructor(
    @InjectModel(WriterLease.name) private readonly leases: Model<WriterLease>,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  /**
   * Whether the engine applies a conditional update atomically across connections. FerretDB
   * (which says so in buildInfo) reads, then writes, so two writers can lose each other's change.
   */
  async engineHasAtomicConditionalUpdates(): Promise<boolean> {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    const info = await db.admin().command({ buildInfo: 1 });
    return !('ferretdbVersion' in info);
  }

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
