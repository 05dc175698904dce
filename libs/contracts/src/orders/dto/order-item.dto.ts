import { ApiProperty } from '@nestjs/swagger';
import { ORDER_ITEM_RULES } from '../../fields/field-rules';
import { documented, Validated } from '../../fields/rule-decorators';

export class OrderItemDto {
  @ApiProperty({ ...documented(ORDER_ITEM_RULES.itemId), example: 'sku-123' })
  @Validated(ORDER_ITEM_RULES.itemId)
  itemId!: string;

  @ApiProperty({ ...documented(ORDER_ITEM_RULES.quantity), example: 2 })
  @Validated(ORDER_ITEM_RULES.quantity)
  quantity!: number;

  /** Unit price, at most two decimals (cents). */
  @ApiProperty({ ...documented(ORDER_ITEM_RULES.price), example: 9.99 })
  @Validated(ORDER_ITEM_RULES.price)
  price!: number;
}
