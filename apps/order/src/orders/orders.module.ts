import { Module } from '@nestjs/common';
import { IdempotencyModule, OrdersPersistenceModule } from '@aware/database';
import { OrderLocks } from './order-locks';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrdersPersistenceModule, IdempotencyModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderLocks],
  exports: [OrderLocks, OrdersPersistenceModule],
})
export class OrdersModule {}
