import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ADDRESS_FIELD_MAX_LENGTH } from '../limits';
import type { Address } from './address';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class AddressDto implements Address {
  @ApiProperty({ example: '1 Main St', maxLength: ADDRESS_FIELD_MAX_LENGTH })
  @Transform(trim)
  @MaxLength(ADDRESS_FIELD_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  street!: string;

  @ApiProperty({ example: 'Springfield', maxLength: ADDRESS_FIELD_MAX_LENGTH })
  @Transform(trim)
  @MaxLength(ADDRESS_FIELD_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  city!: string;

  @ApiProperty({ example: 'IL', maxLength: ADDRESS_FIELD_MAX_LENGTH })
  @Transform(trim)
  @MaxLength(ADDRESS_FIELD_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  state!: string;

  @ApiProperty({ example: '62701', maxLength: ADDRESS_FIELD_MAX_LENGTH })
  @Transform(trim)
  @MaxLength(ADDRESS_FIELD_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  postalCode!: string;

  @ApiProperty({ example: 'US', maxLength: ADDRESS_FIELD_MAX_LENGTH })
  @Transform(trim)
  @MaxLength(ADDRESS_FIELD_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  country!: string;
}

/** A nested address property: must be an object (not an array or scalar) and valid. */
export function AddressField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: AddressDto }),
    IsObject(),
    ValidateNested(),
    Type(() => AddressDto),
  );
}
