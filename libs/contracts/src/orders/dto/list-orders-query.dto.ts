import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { DEFAULT_PAGE_SIZE, ORDER_QUERY_RULES, ORDER_RULES } from '../../fields/field-rules';
import { documented, Validated } from '../../fields/rule-decorators';
import { ResourceIdField } from '../../values/resource-id';
import type { OrderStatus } from '../order-status';

export class ListOrdersQueryDto {
  @ApiPropertyOptional(documented(ORDER_RULES.orderStatus))
  @IsOptional()
  @Validated(ORDER_RULES.orderStatus)
  status?: OrderStatus;

  @IsOptional()
  @ResourceIdField('Only the orders of this user.')
  userId?: string;

  @ApiPropertyOptional({ default: DEFAULT_PAGE_SIZE, ...documented(ORDER_QUERY_RULES.limit) })
  @IsOptional()
  // Plain decimal digits only: `0x10` or `1e2` are not page sizes a client meant.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value,
  )
  @Validated(ORDER_QUERY_RULES.limit)
  limit?: number;

  /** Opaque cursor from the previous page's `Link: <…>; rel="next"` header. */
  @ApiPropertyOptional({
    description: 'Cursor from the previous page’s Link header.',
    ...documented(ORDER_QUERY_RULES.after),
  })
  @IsOptional()
  // Matches alone, not Validated: a repeated `after` is a bad cursor, not a bad type.
  @Matches(ORDER_QUERY_RULES.after.pattern, {
    message: `$property must be ${ORDER_QUERY_RULES.after.patternRule}`,
  })
  after?: string;
}
