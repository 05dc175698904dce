import { ApiProperty } from '@nestjs/swagger';
import { ORDER_RULES } from '../../fields/field-rules';
import { documented, Validated } from '../../fields/rule-decorators';
import type { OrderStatus } from '../order-status';

export class UpdateOrderStatusDto {
  @ApiProperty({ ...documented(ORDER_RULES.orderStatus), example: 'shipping' })
  @Validated(ORDER_RULES.orderStatus)
  orderStatus!: OrderStatus;
}
