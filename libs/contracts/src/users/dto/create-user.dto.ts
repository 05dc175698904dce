import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AddressDto, AddressField } from '../../values/address.dto';
import { EmailList } from '../../values/email';

export class CreateUserDto {
  @EmailList()
  emails!: string[];

  @AddressField()
  deliveryAddress!: AddressDto;

  @ApiPropertyOptional({ example: 'Ada', maxLength: 100 })
  @IsOptional()
  @MaxLength(100)
  @IsString()
  firstName?: string;

  @ApiPropertyOptional({ example: 'Lovelace', maxLength: 100 })
  @IsOptional()
  @MaxLength(100)
  @IsString()
  lastName?: string;

  @ApiPropertyOptional({ example: '5551234567', pattern: '^[0-9]{10,15}$' })
  @IsOptional()
  @Matches(/^[0-9]{10,15}$/, { message: 'phoneNumber must be 10 to 15 digits' })
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
