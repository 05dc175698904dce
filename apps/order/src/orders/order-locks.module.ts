import { Module } from '@nestjs/common';
import { OrdersPersistenceModule } from '@aware/database';
import { OrderLocks } from './order-locks';

/**
 * The process's order locks and the orders persistence, shared by the HTTP API and the event
 * sync; on its own so a consumer-only process (ORDER_ROLE=consumer) gets them without the API.
 */
@Module({
  imports: [OrdersPersistenceModule],
  providers: [OrderLocks],
  exports: [OrderLocks, OrdersPersistenceModule],
})
export class OrderLocksModule {}
