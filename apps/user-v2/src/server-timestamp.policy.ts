import { Injectable } from '@nestjs/common';
import { TimestampPolicy, type StoredTimestamps } from '@aware/users';

/** v2: the server owns timestamps; client values are accepted for compatibility and ignored. */
@Injectable()
export class ServerTimestampPolicy extends TimestampPolicy {
  onCreate(_sent: unknown, now: Date): StoredTimestamps {
    return { createdAt: now, updatedAt: now };
  }

  onUpdate(now: Date): Pick<StoredTimestamps, 'updatedAt'> {
    return { updatedAt: now };
  }
}
