import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { insertUnlessDuplicate } from '../mongo-errors';
import { insertRecord } from '../record-inserts';
import { IdempotencyKey } from './idempotency-key.schema';

export type IdempotencyKeyRecord = IdempotencyKey;

/** The only code that touches idempotency keys. */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(@InjectModel(IdempotencyKey.name) private readonly keys: Model<IdempotencyKey>) {}

  /** Inserts the key; false when it is already there (the unique `_id` decides). */
  insert(record: IdempotencyKeyRecord): Promise<boolean> {
    return insertUnlessDuplicate(() => insertRecord(this.keys, record));
  }

  find(id: string): Promise<IdempotencyKeyRecord | null> {
    return this.keys.findOne({ _id: id }).lean<IdempotencyKeyRecord>().exec();
  }

  /** Removes the key of a request that was refused, unless another request's key replaced it. */
  async remove(id: string, resourceId: string): Promise<void> {
    await this.keys.deleteOne({ _id: id, resourceId }).exec();
  }

  /** Removes the keys that expired before `now`; returns how many. */
  async removeExpired(now: Date): Promise<number> {
    const result = await this.keys.deleteMany({ expiresAt: { $lt: now } }).exec();
    return result.deletedCount;
  }
}
