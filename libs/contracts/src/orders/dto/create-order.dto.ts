import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { ORDER_RULES } from '../../fields/field-rules';
import { documented, Validated } from '../../fields/rule-decorators';
import { AddressDto, AddressField } from '../../values/address.dto';
import { ResourceIdField } from '../../values/resource-id';
import { EmailList } from '../../values/email';
import type { OrderStatus } from '../order-status';
import { OrderItemDto } from './order-item.dto';

export class CreateOrderDto {
  @ApiProperty({ type: [OrderItemDto], ...documented(ORDER_RULES.items) })
  @Validated(ORDER_RULES.items)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];

  @IsOptional()
  @ResourceIdField(
    'The ordering user; when the order service knows it, missing contact fields are filled in.',
  )
  userId?: string;

  @IsOptional()
  @EmailList()
  userEmails?: string[];

  @IsOptional()
  @AddressField()
  deliveryAddress?: AddressDto;

  @ApiPropertyOptional({ ...documented(ORDER_RULES.orderStatus), default: 'under process' })
  @IsOptional()
  @Validated(ORDER_RULES.orderStatus)
  orderStatus?: OrderStatus;
}
