import { Module } from '@nestjs/common';
import { OrderLocksModule } from '../orders/order-locks.module';
import { WriterLeaseConsumer } from '../writer-lease/writer-lease-consumer';
import { WriterLeaseModule } from '../writer-lease/writer-lease.module';
import { OrderSync } from './order-sync';

/**
 * Keeps orders in sync with user events; the app lists OrderSync as EventsModule's handler. The
 * queue consumer follows the writer lease here, where there is a consumer (ORDER_ROLE not `api`).
 */
@Module({
  imports: [OrderLocksModule, WriterLeaseModule],
  providers: [OrderSync, WriterLeaseConsumer],
})
export class SyncModule {}
