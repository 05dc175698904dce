import { IsOptional } from 'class-validator';
import { AddressDto, AddressField } from '../../values/address.dto';
import { EmailList } from '../../values/email';

/** PUT /orders/{orderId}/details: at least one of the two fields. */
export class UpdateOrderDetailsDto {
  @IsOptional()
  @EmailList()
  userEmails?: string[];

  @IsOptional()
  @AddressField()
  deliveryAddress?: AddressDto;
}
