import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  ValidateNested,
} from 'class-validator';
import { MAX_ORDER_ITEMS, MIN_ORDER_ITEMS } from '../../limits';
import { AddressDto, AddressField } from '../../values/address.dto';
import { ResourceIdField } from '../../values/resource-id';
import { EmailList } from '../../values/email';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import { OrderItemDto } from './order-item.dto';

export class CreateOrderDto {
  @ApiProperty({ type: [OrderItemDto], minItems: MIN_ORDER_ITEMS, maxItems: MAX_ORDER_ITEMS })
  @IsArray()
  @ArrayMinSize(MIN_ORDER_ITEMS)
  @ArrayMaxSize(MAX_ORDER_ITEMS)
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

  @ApiPropertyOptional({ enum: ORDER_STATUSES, default: 'under process' })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  orderStatus?: OrderStatus;
}
