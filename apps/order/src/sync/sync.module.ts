import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { OrderSync } from './order-sync.service';

/** Keeps orders in sync with user events; EventsModule finds OrderSync's handlers. */
@Module({
  imports: [OrdersModule],
  providers: [OrderSync],
})
export class SyncModule {}
