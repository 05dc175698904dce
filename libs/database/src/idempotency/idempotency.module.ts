import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { IdempotencyKey, IdempotencyKeySchema } from './idempotency-key.schema';
import { IdempotencyKeyPruner } from './idempotency-key-pruner';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { IdempotentCreates } from './idempotent-creates';

/** Idempotency-Key support for a service's creates, on its own database. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: IdempotencyKey.name, schema: IdempotencyKeySchema }]),
  ],
  providers: [IdempotencyKeysRepository, IdempotentCreates, IdempotencyKeyPruner],
  exports: [IdempotentCreates],
})
export class IdempotencyModule {}
