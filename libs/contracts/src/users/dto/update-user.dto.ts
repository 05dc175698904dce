import { IsOptional } from 'class-validator';
import { AddressDto, AddressField } from '../../values/address.dto';
import { EmailList } from '../../values/email';

/** PUT /users/{userId}: the synced fields only; at least one of them. */
export class UpdateUserDto {
  @IsOptional()
  @EmailList()
  emails?: string[];

  @IsOptional()
  @AddressField()
  deliveryAddress?: AddressDto;
}
