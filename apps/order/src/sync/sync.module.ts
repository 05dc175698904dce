import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { OrderSync } from './order-sync.service';

/** Keeps orders in sync with user events; the app lists OrderSync as EventsModule's handler. */
@Module({
  imports: [OrdersModule],
  providers: [OrderSync],
})
export class SyncModule {}
