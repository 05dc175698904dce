import { ApiProperty } from '@nestjs/swagger';
import { AddressDto } from '../../values/address.dto';
import { ResourceIdProperty } from '../../values/resource-id';
import { ORDER_RULES } from '../../fields/field-rules';
import { documented } from '../../fields/rule-decorators';
import type { OrderStatus } from '../order-status';
import { OrderItemDto } from './order-item.dto';

export class OrderDto {
  @ResourceIdProperty({ example: '8f0b8d0e-4c1a-4f5e-9d3b-2a1c7e6f5a4b' })
  orderId!: string;

  @ResourceIdProperty({ required: false })
  userId?: string;

  @ApiProperty({ type: [OrderItemDto] })
  items!: OrderItemDto[];

  /** Σ quantity × price, rounded to the cent. */
  @ApiProperty({ example: 19.98 })
  totalPrice!: number;

  @ApiProperty({ type: [String], example: ['ada@example.com'] })
  userEmails!: string[];

  @ApiProperty({ type: AddressDto })
  deliveryAddress!: AddressDto;

  @ApiProperty({ ...documented(ORDER_RULES.orderStatus), example: 'under process' })
  orderStatus!: OrderStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
