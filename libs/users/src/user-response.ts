import { toAddress, type UserDto } from '@aware/contracts';
import type { UserRecord } from '@aware/database';

/** The public shape of a user: no storage internals, ISO timestamps. */
export function toUserDto(user: UserRecord): UserDto {
  return {
    userId: user.userId,
    ...(user.firstName !== undefined && { firstName: user.firstName }),
    ...(user.lastName !== undefined && { lastName: user.lastName }),
    emails: [...user.emails],
    deliveryAddress: toAddress(user.deliveryAddress),
    ...(user.phoneNumber !== undefined && { phoneNumber: user.phoneNumber }),
    ...(user.createdAt && { createdAt: user.createdAt.toISOString() }),
    ...(user.updatedAt && { updatedAt: user.updatedAt.toISOString() }),
    version: user.version,
  };
}
