import { Body, Controller, Get, HttpStatus, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ApiIdempotencyKey,
  ApiProblemResponses,
  IDEMPOTENT_REPLAYED_HEADER,
  IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  IdempotencyKey,
  ResourceIdPipe,
  type IdempotentRequest,
} from '@aware/common';
import {
  CreateOrderDto,
  ListOrdersQueryDto,
  OrderDto,
  ResourceIdParam,
  UpdateOrderDetailsDto,
  UpdateOrderStatusDto,
} from '@aware/contracts';
import { OrdersService } from './orders.service';

/** `Link` to the same listing's next page: the client's filters and limit, plus the cursor. */
function nextPageLink(query: ListOrdersQueryDto, cursor: string): string {
  const params = { status: query.status, userId: query.userId, limit: query.limit, after: cursor };
  const search = Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `</orders?${search}>; rel="next"`;
}

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an order',
    description:
      'totalPrice is computed to the cent; orderStatus defaults to `under process`. userEmails ' +
      'and deliveryAddress are required unless userId names a user known to the order service. ' +
      'With an Idempotency-Key, a retry answers the first answer and creates nothing.',
  })
  @ApiCreatedResponse({
    type: OrderDto,
    description: 'The created order.',
    headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  })
  @ApiIdempotencyKey()
  @ApiProblemResponses(
    HttpStatus.BAD_REQUEST,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  async create(
    @Body() dto: CreateOrderDto,
    @IdempotencyKey() idempotency: IdempotentRequest | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const { resource: order, replayed } = await this.orders.create(dto, idempotency);
    void reply.header('Location', `/orders/${order.orderId}`);
    if (replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return order;
  }

  @Get()
  @ApiOperation({
    summary: 'List orders, oldest first, optionally by status and user',
    description: 'A plain array; when more orders follow, the `Link` header names the next page.',
  })
  @ApiOkResponse({
    type: [OrderDto],
    description: 'One page of orders.',
    headers: {
      Link: {
        description: 'Present when more orders follow: `</orders?…&after=CURSOR>; rel="next"`.',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblemResponses(HttpStatus.BAD_REQUEST)
  async list(
    @Query() query: ListOrdersQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto[]> {
    const page = await this.orders.list(query);
    if (page.nextCursor !== undefined) {
      void reply.header('Link', nextPageLink(query, page.nextCursor));
    }
    return page.orders;
  }

  @ResourceIdParam('orderId')
  @Get(':orderId')
  @ApiOperation({ summary: 'Get an order' })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblemResponses(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  get(@Param('orderId', ResourceIdPipe) orderId: string): Promise<OrderDto> {
    return this.orders.get(orderId);
  }

  @ResourceIdParam('orderId')
  @Put(':orderId/status')
  @ApiOperation({
    summary: 'Move an order forward: under process → shipping → delivered (skipping allowed)',
    description: 'The current status answers 200 unchanged; a backward move answers 409.',
  })
  @ApiOkResponse({ type: OrderDto, description: 'The order with its new status.' })
  @ApiProblemResponses(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  updateStatus(
    @Param('orderId', ResourceIdPipe) orderId: string,
    @Body() dto: UpdateOrderStatusDto,
  ): Promise<OrderDto> {
    return this.orders.updateStatus(orderId, dto.orderStatus);
  }

  @ResourceIdParam('orderId')
  @Put(':orderId/details')
  @ApiOperation({
    summary: 'Change the emails and/or delivery address of an order not yet delivered',
  })
  @ApiOkResponse({ type: OrderDto, description: 'The updated order.' })
  @ApiProblemResponses(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  updateDetails(
    @Param('orderId', ResourceIdPipe) orderId: string,
    @Body() dto: UpdateOrderDetailsDto,
  ): Promise<OrderDto> {
    return this.orders.updateDetails(orderId, dto);
  }
}
