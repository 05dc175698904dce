import { Module } from '@nestjs/common';
import { OrdersDatabaseModule } from '@aware/database';
import { OrderLocks } from './order-locks';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrdersDatabaseModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderLocks],
  exports: [OrderLocks, OrdersDatabaseModule],
})
export class OrdersModule {}
