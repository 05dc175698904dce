import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { WriterLeaseModule } from '../writer-lease/writer-lease.module';
import { OrderSync } from './order-sync.service';

/** Keeps orders in sync with user events; EventsModule finds OrderSync's handlers. */
@Module({
  imports: [OrdersModule, WriterLeaseModule],
  providers: [OrderSync],
})
export class SyncModule {}
