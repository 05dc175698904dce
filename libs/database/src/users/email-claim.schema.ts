import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const EMAIL_CLAIMS_COLLECTION = 'email_claims';

/**
 * One document per normalised email, keyed by it: the `_id` unique index makes "exactly one
 * owner per email" hold under concurrency on MongoDB and on FerretDB (no multikey unique index).
 */
@Schema({ collection: EMAIL_CLAIMS_COLLECTION, versionKey: false })
export class EmailClaim {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) userId!: string;
  @Prop({ required: true }) claimedAt!: Date;
}

export const EmailClaimSchema = SchemaFactory.createForClass(EmailClaim);
EmailClaimSchema.index({ userId: 1 });
