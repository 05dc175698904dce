import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { WriterLeaseModule } from '../writer-lease/writer-lease.module';
import { OrderSync } from './order-sync.service';

/** Keeps orders in sync with user events; the app lists OrderSync as EventsModule's handler. */
@Module({
  imports: [OrdersModule, WriterLeaseModule],
  providers: [OrderSync],
})
export class SyncModule {}
