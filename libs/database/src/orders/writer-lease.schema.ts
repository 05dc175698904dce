import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { propOf, WRITER_LEASE_RULES } from '../field-rules';

export const WRITER_LEASES_COLLECTION = 'writer_leases';

/**
 * One term of the lease that makes a process the only writer of a database, keyed
 * `<name>#<term>`. A new term is only ever inserted, so the unique key decides who takes over on
 * any engine; only the holder writes its own term (renewals, release).
 */
@Schema({ collection: WRITER_LEASES_COLLECTION, versionKey: false })
export class WriterLease {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true, ...propOf(WRITER_LEASE_RULES.term) }) term!: number;
  @Prop({ required: true }) owner!: string;
  @Prop({ required: true }) expiresAt!: Date;
}

export const WriterLeaseSchema = SchemaFactory.createForClass(WriterLease);
WriterLeaseSchema.index({ name: 1, term: -1 });
