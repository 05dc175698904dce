import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NAME_MAX_LENGTH, PHONE_NUMBER_PATTERN, PHONE_NUMBER_RULE } from '../../limits';
import { AddressDto, AddressField } from '../../values/address.dto';
import { EmailList } from '../../values/email';

export class CreateUserDto {
  @EmailList()
  emails!: string[];

  @AddressField()
  deliveryAddress!: AddressDto;

  @ApiPropertyOptional({ example: 'Ada', maxLength: NAME_MAX_LENGTH })
  @IsOptional()
  @MaxLength(NAME_MAX_LENGTH)
  @IsString()
  firstName?: string;

  @ApiPropertyOptional({ example: 'Lovelace', maxLength: NAME_MAX_LENGTH })
  @IsOptional()
  @MaxLength(NAME_MAX_LENGTH)
  @IsString()
  lastName?: string;

  @ApiPropertyOptional({ pattern: PHONE_NUMBER_PATTERN.source, example: '5551234567' })
  @IsOptional()
  @Matches(PHONE_NUMBER_PATTERN, { message: `phoneNumber must be ${PHONE_NUMBER_RULE}` })
  @IsString()
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
