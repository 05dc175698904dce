import { Module } from '@nestjs/common';
import { OrdersPersistenceModule } from '@aware/database';
import { WriterLeaseConsumer } from './writer-lease-consumer';
import { WriterLease } from './writer-lease.service';

@Module({
  imports: [OrdersPersistenceModule],
  providers: [WriterLease, WriterLeaseConsumer],
  exports: [WriterLease],
})
export class WriterLeaseModule {}
