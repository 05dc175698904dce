/** Timestamps a client may send on POST /users. */
export interface SentTimestamps {
  createdAt?: string;
  updatedAt?: string;
}

export interface StoredTimestamps {
  createdAt?: Date;
  updatedAt?: Date;
}

/**
 * The one behaviour that differs between user-v1 and user-v2 (docs/api.md): who owns
 * createdAt/updatedAt. Each app provides its implementation to UsersModule.
 */
export abstract class TimestampPolicy {
  abstract onCreate(sent: SentTimestamps, now: Date): StoredTimestamps;
  abstract onUpdate(now: Date): Pick<StoredTimestamps, 'updatedAt'>;
}
