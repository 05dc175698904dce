import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EmailClaim, EmailClaimSchema } from './email-claim.schema';
import { EmailClaimsRepository } from './email-claims.repository';
import { OutboxLease, OutboxLeaseSchema } from './outbox-lease.schema';
import { OutboxLeasesRepository } from './outbox-leases.repository';
import { User, UserSchema } from './user.schema';
import { UsersRepository } from './users.repository';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: EmailClaim.name, schema: EmailClaimSchema },
      { name: OutboxLease.name, schema: OutboxLeaseSchema },
    ]),
  ],
  providers: [UsersRepository, EmailClaimsRepository, OutboxLeasesRepository],
  exports: [UsersRepository, EmailClaimsRepository, OutboxLeasesRepository],
})
export class UsersDatabaseModule {}
