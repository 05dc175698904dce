import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@aware/common';

/** Problem types only the user services answer with; the generic ones are in @aware/common. */
const UserProblemType = {
  emailTaken: 'urn:aware:problem:email-taken',
} as const;

export class EmailTakenProblem extends ProblemException {
  constructor(email: string) {
    super(HttpStatus.CONFLICT, UserProblemType.emailTaken, `Email ${email} is already in use.`, {
      errors: [{ field: 'emails', message: `${email} is already in use by another user` }],
    });
  }
}
