import { Module } from '@nestjs/common';
import { OrderLocksModule } from '../orders/order-locks.module';
import { OrderSync } from './order-sync.service';

/** Keeps orders in sync with user events; EventsModule finds OrderSync's handlers. */
@Module({
  imports: [OrderLocksModule],
  providers: [OrderSync],
})
export class SyncModule {}
