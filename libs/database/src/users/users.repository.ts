import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { User } from './user.schema';

export type UserRecord = User;
export type UserChanges = Partial<Pick<User, 'emails' | 'deliveryAddress' | 'updatedAt'>>;

const PUBLIC_FIELDS = { _id: 0 } as const;

/** The only code that touches the users collection. */
@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  async insert(user: UserRecord): Promise<UserRecord> {
    await this.users.create(user);
    return user;
  }

  findByUserId(userId: string): Promise<UserRecord | null> {
    return this.users.findOne({ userId }, PUBLIC_FIELDS).lean<UserRecord>().exec();
  }

  /**
   * Applies `changes` only if the stored version is still `expectedVersion` (optimistic
   * concurrency) and bumps the version; null when another write got there first.
   */
  updateIfVersion(
    userId: string,
    expectedVersion: number,
    changes: UserChanges,
  ): Promise<UserRecord | null> {
    return this.users
      .findOneAndUpdate(
        { userId, version: expectedVersion },
        { $set: changes, $inc: { version: 1 } },
        // No projection: FerretDB's findAndModify does not support one; callers map fields.
        { new: true },
      )
      .lean<UserRecord>()
      .exec();
  }

  async holdsEmail(userId: string, email: string): Promise<boolean> {
    return (await this.users.exists({ userId, emails: email })) !== null;
  }
}
