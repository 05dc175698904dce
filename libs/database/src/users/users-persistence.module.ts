import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EmailClaim, EmailClaimSchema } from './email-claim.schema';
import { EmailClaimsRepository } from './email-claims.repository';
import { User, UserSchema } from './user.schema';
import { UsersRepository } from './users.repository';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: EmailClaim.name, schema: EmailClaimSchema },
    ]),
  ],
  providers: [UsersRepository, EmailClaimsRepository],
  exports: [UsersRepository, EmailClaimsRepository],
})
export class UsersPersistenceModule {}
