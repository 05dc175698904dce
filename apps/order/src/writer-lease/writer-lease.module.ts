import { Module } from '@nestjs/common';
import { OrdersPersistenceModule } from '@aware/database';
import { WriterLeasePolicy } from './writer-lease-policy';
import { WriterLease } from './writer-lease';

@Module({
  imports: [OrdersPersistenceModule],
  providers: [WriterLeasePolicy, WriterLease],
  exports: [WriterLease],
})
export class WriterLeaseModule {}
