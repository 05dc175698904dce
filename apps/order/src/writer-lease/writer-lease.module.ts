import { Module } from '@nestjs/common';
import { OrdersDatabaseModule } from '@aware/database';
import { WriterLease } from './writer-lease.service';

@Module({
  imports: [OrdersDatabaseModule],
  providers: [WriterLease],
})
export class WriterLeaseModule {}
