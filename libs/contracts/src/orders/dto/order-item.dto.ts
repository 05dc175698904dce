import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';

export class OrderItemDto {
  @ApiProperty({ example: 'sku-123', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  itemId!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity!: number;

  /** Unit price, at most two decimals (cents). */
  @ApiProperty({ example: 9.99, minimum: 0, maximum: 1_000_000_000 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(1_000_000_000)
  price!: number;
}
