import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { insertUnlessDuplicate } from '../mongo-errors';
import { User, userVersionKey } from './user.schema';

export type UserRecord = Omit<User, '_id'>;

export interface OutboxBacklog {
  pending: number;
  oldestOccurredAt: Date | null;
}

const WITHOUT_KEY = { _id: 0 } as const;

/** The only code that touches the users collection (user versions and their outbox). */
@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  /**
   * Stores a new version with its event in one insert. False when that version already exists:
   * another writer changed the user first (optimistic concurrency).
   */
  async insertVersion(record: UserRecord): Promise<boolean> {
    return insertUnlessDuplicate(() =>
      this.users.create({ ...record, _id: userVersionKey(record.userId, record.version) }),
    );
  }

  findByUserId(userId: string): Promise<UserRecord | null> {
    return this.users
      .findOne({ userId }, WITHOUT_KEY)
      .sort({ version: -1 })
      .lean<UserRecord>()
      .exec();
  }

  /**
   * The newest version of every user, one at a time. A plain cursor over all versions rather
   * than an aggregation (FerretDB's is partial); the (userId, version desc) order is the index's,
   * so the first version seen of each user is its newest.
   */
  async *newestVersions(): AsyncGenerator<UserRecord> {
    let previousUserId: string | undefined;
    const versions = this.users
      .find({}, WITHOUT_KEY)
      .sort({ userId: 1, version: -1 })
      .lean<UserRecord>()
      .cursor();
    for await (const version of versions) {
      if (version.userId === previousUserId) continue;
      previousUserId = version.userId;
      yield version;
    }
  }

  /** Users with events still unpublished that occurred before `cutoff` (the relay's sweep). */
  async usersWithUnpublishedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.users
      .find({ published: false, 'event.occurredAt': { $lt: cutoff } }, { userId: 1, _id: 0 })
      .sort({ 'event.occurredAt': 1 })
      .limit(limit)
      .lean<{ userId: string }[]>()
      .exec();
    return [...new Set(rows.map((row) => row.userId))];
  }

  /**
   * After the broker confirmed `version`, the newest: it and every older version are settled.
   * Older versions are dropped (the user is its newest version) and this one is marked.
   */
  async markPublished(userId: string, version: number): Promise<void> {
    await this.users
      .updateOne({ _id: userVersionKey(userId, version) }, { $set: { published: true } })
      .exec();
    if (version > 1) await this.users.deleteMany({ userId, version: { $lt: version } }).exec();
  }

  async outboxBacklog(): Promise<OutboxBacklog> {
    const [pending, oldest] = await Promise.all([
      this.users.countDocuments({ published: false }).exec(),
      this.users
        .findOne({ published: false }, { 'event.occurredAt': 1, _id: 0 })
        .sort({ 'event.occurredAt': 1 })
        .lean<Pick<User, 'event'>>()
        .exec(),
    ]);
    return { pending, oldestOccurredAt: oldest?.event.occurredAt ?? null };
  }
}
