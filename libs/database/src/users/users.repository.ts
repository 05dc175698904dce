import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { FIRST_USER_VERSION } from '@aware/contracts';
import { insertUnlessDuplicate } from '../mongo-errors';
import { insertRecord } from '../record-inserts';
import { User, userVersionKey } from './user.schema';

export type UserRecord = Omit<User, '_id'>;

export interface OutboxBacklog {
  pending: number;
  oldestOccurredAt: Date | null;
}

/** A user and one of its versions (one pending publication, or one the broker confirmed). */
interface UserVersionRef {
  userId: string;
  version: number;
}

const WITHOUT_KEY = { _id: 0 } as const;
/**
 * Older versions one prune removes at most; more only pile up when publishes keep failing, and
 * the next prune continues where this one stopped.
 */
const PRUNE_LIMIT = 100;
/**
 * Versions marked by one command (and pruned side by side) at most. FerretDB holds a pooled
 * [engine-note: mark-chunks]
 * connection for every statement of an update command until the whole command ends, so a long
 * batch can take its entire pool and then wait on itself (seen with its SQLite backend, whose
 * pool is 100): small chunks stay far inside it.
 */
const MARK_CHUNK = 8;

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
      insertRecord(this.users, { ...record, _id: userVersionKey(record.userId, record.version) }),
    );
  }

  // [engine-note: key-only-filters]
  /** One version, by its key: an index lookup on every engine (all FerretDB SQLite pushes down). */
  findVersion(userId: string, version: number): Promise<UserRecord | null> {
    return this.users
      .findOne({ _id: userVersionKey(userId, version) }, WITHOUT_KEY)
      .lean<UserRecord>()
      .exec();
  }

  /** Whether the user exists: its first version by key, or (pruned since) any version. */
  async exists(userId: string): Promise<boolean> {
    if (await this.users.exists({ _id: userVersionKey(userId, FIRST_USER_VERSION) }).exec()) {
      return true;
    }
    return (await this.users.exists({ userId }).exec()) !== null;
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
   * [engine-note: no-aggregation]
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

  /**
   * Users with events still unpublished that occurred before `cutoff` (the relay's sweep), each
   * with its newest pending version.
   */
  async unpublishedBefore(cutoff: Date, limit: number): Promise<UserVersionRef[]> {
    const rows = await this.users
      .find({ published: false, 'event.occurredAt': { $lt: cutoff } }, { userId: 1, version: 1 })
      .sort({ 'event.occurredAt': 1 })
      .limit(limit)
      .lean<UserVersionRef[]>()
      .exec();
    const newest = new Map<string, number>();
    for (const { userId, version } of rows) {
      newest.set(userId, Math.max(version, newest.get(userId) ?? 0));
    }
    return [...newest].map(([userId, version]) => ({ userId, version }));
  }

  /**
   * After the broker confirmed these versions (at most one per user): they are marked, up to
   * MARK_CHUNK per command, and the versions below each, which it supersedes (the user is its
   * [engine-note: key-only-filters]
   * newest version), are dropped. Every statement names one key, so none scans on an engine that
   * pushes down nothing else.
   */
  async markPublished(versions: readonly UserVersionRef[]): Promise<void> {
    for (let start = 0; start < versions.length; start += MARK_CHUNK) {
      const chunk = versions.slice(start, start + MARK_CHUNK);
      await this.users.bulkWrite(
        chunk.map(({ userId, version }) => ({
          updateOne: {
            filter: { _id: userVersionKey(userId, version) },
            update: { $set: { published: true } },
          },
        })),
        { ordered: false },
      );
      await Promise.all(chunk.map(({ userId, version }) => this.pruneBelow(userId, version)));
    }
  }

  /**
   * Drops the versions below a published one. The walk down stops at a version that was itself
   * published (its own prune cleared what lay below it) or at a gap.
   */
  private async pruneBelow(userId: string, version: number): Promise<void> {
    for (let older = version - 1; older >= Math.max(1, version - PRUNE_LIMIT); older -= 1) {
      const dropped = await this.users
        .findOneAndDelete({ _id: userVersionKey(userId, older) })
        .lean<UserRecord>()
        .exec();
      if (!dropped || dropped.published) return;
    }
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
