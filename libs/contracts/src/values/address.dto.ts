import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { ADDRESS_LINE } from '../fields/field-rules';
import { documented, Validated } from '../fields/rule-decorators';
import type { Address } from './address';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class AddressDto implements Address {
  @ApiProperty({ ...documented(ADDRESS_LINE), example: '1 Main St' })
  @Transform(trim)
  @Validated(ADDRESS_LINE)
  street!: string;

  @ApiProperty({ ...documented(ADDRESS_LINE), example: 'Springfield' })
  @Transform(trim)
  @Validated(ADDRESS_LINE)
  city!: string;

  @ApiProperty({ ...documented(ADDRESS_LINE), example: 'IL' })
  @Transform(trim)
  @Validated(ADDRESS_LINE)
  state!: string;

  @ApiProperty({ ...documented(ADDRESS_LINE), example: '62701' })
  @Transform(trim)
  @Validated(ADDRESS_LINE)
  postalCode!: string;

  @ApiProperty({ ...documented(ADDRESS_LINE), example: 'US' })
  @Transform(trim)
  @Validated(ADDRESS_LINE)
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
