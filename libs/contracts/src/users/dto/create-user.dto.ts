import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { USER_RULES } from '../../fields/field-rules';
import { documented, Validated } from '../../fields/rule-decorators';
import { AddressDto, AddressField } from '../../values/address.dto';
import { EmailList } from '../../values/email';

export class CreateUserDto {
  @EmailList()
  emails!: string[];

  @AddressField()
  deliveryAddress!: AddressDto;

  @ApiPropertyOptional({ ...documented(USER_RULES.firstName), example: 'Ada' })
  @IsOptional()
  @Validated(USER_RULES.firstName)
  firstName?: string;

  @ApiPropertyOptional({ ...documented(USER_RULES.lastName), example: 'Lovelace' })
  @IsOptional()
  @Validated(USER_RULES.lastName)
  lastName?: string;

  @ApiPropertyOptional({ ...documented(USER_RULES.phoneNumber), example: '5551234567' })
  @IsOptional()
  @Validated(USER_RULES.phoneNumber)
  phoneNumber?: string;

  /** Kept as sent by user-v1 (legacy); set by the server in user-v2, which ignores it. */
  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-01T00:00:00.000Z' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  createdAt?: string;

  /** Kept as sent by user-v1 (legacy); set by the server in user-v2, which ignores it. */
  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-01T00:00:00.000Z' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  updatedAt?: string;
}
