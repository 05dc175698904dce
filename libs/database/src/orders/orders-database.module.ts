import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Order, OrderSchema } from './order.schema';
import { OrdersRepository } from './orders.repository';
import { UserProjection, UserProjectionSchema } from './user-projection.schema';
import { UserProjectionsRepository } from './user-projections.repository';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Order.name, schema: OrderSchema },
      { name: UserProjection.name, schema: UserProjectionSchema },
    ]),
  ],
  providers: [OrdersRepository, UserProjectionsRepository],
  exports: [OrdersRepository, UserProjectionsRepository],
})
export class OrdersDatabaseModule {}
