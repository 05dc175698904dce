import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { probeAtomicConditionalUpdates } from './atomic-updates.probe';

/** What the connected engine can do, found by trying it rather than by its name. */
@Injectable()
export class EngineCapabilities {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Whether concurrent conditional updates of one document from several connections have one winner. */
  atomicConditionalUpdates(): Promise<boolean> {
    const db = this.connection.db;
    if (!db) throw new Error('the database connection is not open');
    return probeAtomicConditionalUpdates(db);
  }
}
