import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { ITEM_ID_MAX_LENGTH, MAX_PRICE, MAX_QUANTITY, MIN_PRICE, MIN_QUANTITY } from '../../limits';

export class OrderItemDto {
  @ApiProperty({ example: 'sku-123', maxLength: ITEM_ID_MAX_LENGTH })
  @MaxLength(ITEM_ID_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  itemId!: string;

  @ApiProperty({ example: 2, minimum: MIN_QUANTITY, maximum: MAX_QUANTITY })
  @Max(MAX_QUANTITY)
  @Min(MIN_QUANTITY)
  @IsInt()
  quantity!: number;

  /** Unit price, at most two decimals (cents). */
  @ApiProperty({ example: 9.99, minimum: MIN_PRICE, maximum: MAX_PRICE })
  @Max(MAX_PRICE)
  @Min(MIN_PRICE)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  price!: number;
}
