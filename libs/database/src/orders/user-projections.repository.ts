import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Address } from '@aware/contracts';
import { insertUnlessDuplicate } from '../mongo-errors';
import { insertRecord } from '../record-inserts';
import { UserProjection } from './user-projection.schema';

export interface UserState {
  userId: string;
  version: number;
  emails: string[];
  deliveryAddress: Address;
}

/** The only code that touches the user projection. */
@Injectable()
export class UserProjectionsRepository {
  constructor(
    @InjectModel(UserProjection.name) private readonly projections: Model<UserProjection>,
  ) {}

  async find(userId: string): Promise<UserState | null> {
    const found = await this.projections.findById(userId).lean<UserProjection>().exec();
    return found && this.toState(found);
  }

  /** Stores `state` unless a version at least as new is already there; true when stored. */
  async applyIfNewer(state: UserState, now: Date): Promise<boolean> {
    const fields = {
      version: state.version,
      emails: state.emails,
      deliveryAddress: state.deliveryAddress,
      updatedAt: now,
    };
    const insert = (): Promise<boolean> =>
      insertUnlessDuplicate(() => insertRecord(this.projections, { _id: state.userId, ...fields }));
    // A user's first version is usually new here: one insert, no update that matches nothing
    // [engine-note: key-only-filters]
    // (an update filtered on more than _id scans the collection on FerretDB).
    if (state.version === 1 && (await insert())) return true;
    const updated = await this.projections
      .updateOne({ _id: state.userId, version: { $lt: state.version } }, { $set: fields })
      .exec();
    if (updated.matchedCount === 1) return true;
    // A duplicate means it is already there with this version or a newer one.
    return state.version === 1 ? false : insert();
  }

  /** Drops a projection that claims `version`, so the next event re-creates it (drift repair). */
  async removeIfVersion(userId: string, version: number): Promise<void> {
    await this.projections.deleteOne({ _id: userId, version }).exec();
  }

  private toState(found: UserProjection): UserState {
    return {
      userId: found._id,
      version: found.version,
      emails: found.emails,
      deliveryAddress: found.deliveryAddress,
    };
  }
}
