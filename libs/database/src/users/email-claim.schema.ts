import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { EMAIL_CLAIM_RULES, propOf } from '../field-rules';

export const EMAIL_CLAIMS_COLLECTION = 'email_claims';

/**
 * One claim generation of a normalised email. The first claim of an email is generation 0,
 * keyed by the email itself; each take-over inserts the next generation, keyed
 * `<email>#<generation>`. Claims are only ever inserted, so the `_id` unique index alone decides
 * [engine-note: insert-only-writes]
 * every race on any engine (FerretDB applies conditional updates non-atomically, and has no
 * multikey unique index). The newest generation is the email's claim; `userId: null` marks a
 * released one.
 */
@Schema({ collection: EMAIL_CLAIMS_COLLECTION, versionKey: false })
export class EmailClaim {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) email!: string;
  @Prop({ required: true, ...propOf(EMAIL_CLAIM_RULES.generation) }) generation!: number;
  @Prop({ type: String, default: null }) userId!: string | null;
  @Prop({ required: true }) claimedAt!: Date;
}

export const EmailClaimSchema = SchemaFactory.createForClass(EmailClaim);
// The current claim of an email: its newest generation.
EmailClaimSchema.index({ email: 1, generation: -1 });

export function emailClaimKey(email: string, generation: number): string {
  return generation === 0 ? email : `${email}#${generation}`;
}
