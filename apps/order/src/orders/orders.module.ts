import { Module } from '@nestjs/common';
import { IdempotencyModule } from '@aware/database';
import { OrderLocksModule } from './order-locks.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrderLocksModule, IdempotencyModule],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class OrdersModule {}
