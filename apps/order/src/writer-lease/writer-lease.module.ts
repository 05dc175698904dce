import { Module } from '@nestjs/common';
import { OrdersPersistenceModule } from '@aware/database';
import { WriterLease } from './writer-lease.service';

@Module({
  imports: [OrdersPersistenceModule],
  providers: [WriterLease],
})
export class WriterLeaseModule {}
