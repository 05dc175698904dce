import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';

/**
 * With at most 100 items, Σ quantity × price in cents stays below 2^53 (10^4 × 10^8 cents ×
 * 100 = 10^14), so totals are exact to the cent.
 */
export const MAX_QUANTITY = 10_000;
export const MAX_PRICE = 1_000_000;

export class OrderItemDto {
  @ApiProperty({ example: 'sku-123', maxLength: 200 })
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  itemId!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: MAX_QUANTITY })
  @Max(MAX_QUANTITY)
  @Min(1)
  @IsInt()
  quantity!: number;

  /** Unit price, at most two decimals (cents). */
  @ApiProperty({ example: 9.99, minimum: 0, maximum: MAX_PRICE })
  @Max(MAX_PRICE)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  price!: number;
}
