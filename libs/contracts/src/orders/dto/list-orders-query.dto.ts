import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ResourceIdField } from '../../values/resource-id';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export class ListOrdersQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @IsOptional()
  @ResourceIdField('Only the orders of this user.')
  userId?: string;

  @ApiPropertyOptional({ default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  // Plain decimal digits only: `0x10` or `1e2` are not page sizes a client meant.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value,
  )
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt()
  limit?: number;

  /** Opaque cursor from the previous page's `Link: <…>; rel="next"` header. */
  @ApiPropertyOptional({ description: 'Cursor from the previous page’s Link header.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a Link header' })
  after?: string;
}
