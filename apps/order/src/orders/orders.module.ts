import { Module } from '@nestjs/common';
import { OrderLocksModule } from './order-locks.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrderLocksModule],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class OrdersModule {}
