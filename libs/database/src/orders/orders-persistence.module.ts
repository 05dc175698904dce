import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EngineCapabilities } from '../engine/engine-capabilities';
import { Order, OrderSchema } from './order.schema';
import { OrdersRepository } from './orders.repository';
import { UserProjection, UserProjectionSchema } from './user-projection.schema';
import { UserProjectionsRepository } from './user-projections.repository';
import { WriterLease, WriterLeaseSchema } from './writer-lease.schema';
import { WriterLeasesRepository } from './writer-leases.repository';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Order.name, schema: OrderSchema },
      { name: UserProjection.name, schema: UserProjectionSchema },
      { name: WriterLease.name, schema: WriterLeaseSchema },
    ]),
  ],
  providers: [
    OrdersRepository,
    UserProjectionsRepository,
    WriterLeasesRepository,
    EngineCapabilities,
  ],
  exports: [
    OrdersRepository,
    UserProjectionsRepository,
    WriterLeasesRepository,
    EngineCapabilities,
  ],
})
export class OrdersPersistenceModule {}
