import { Injectable } from '@nestjs/common';
import { TimestampPolicy, type SentTimestamps, type StoredTimestamps } from '@aware/users';

/** v1 (legacy): timestamps are the client's; absent stays absent and updates leave them alone. */
@Injectable()
export class LegacyTimestampPolicy extends TimestampPolicy {
  onCreate(sent: SentTimestamps): StoredTimestamps {
    return {
      ...(sent.createdAt !== undefined && { createdAt: new Date(sent.createdAt) }),
      ...(sent.updatedAt !== undefined && { updatedAt: new Date(sent.updatedAt) }),
    };
  }

  onUpdate(): Pick<StoredTimestamps, 'updatedAt'> {
    return {};
  }
}
