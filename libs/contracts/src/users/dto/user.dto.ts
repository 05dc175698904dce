import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FIRST_USER_VERSION, USER_RULES } from '../../fields/field-rules';
import { documented } from '../../fields/rule-decorators';
import { AddressDto } from '../../values/address.dto';
import { ResourceIdProperty } from '../../values/resource-id';

export class UserDto {
  @ResourceIdProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962' })
  userId!: string;

  @ApiPropertyOptional({ example: 'Ada' })
  firstName?: string;

  @ApiPropertyOptional({ example: 'Lovelace' })
  lastName?: string;

  @ApiProperty({ type: [String], example: ['ada@example.com'] })
  emails!: string[];

  @ApiProperty({ type: AddressDto })
  deliveryAddress!: AddressDto;

  @ApiPropertyOptional({ example: '5551234567' })
  phoneNumber?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-01T00:00:00.000Z' })
  createdAt?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-01T00:00:00.000Z' })
  updatedAt?: string;

  /** +1 per change; also sent as the ETag. */
  @ApiProperty({ example: FIRST_USER_VERSION, ...documented(USER_RULES.version) })
  version!: number;
}
