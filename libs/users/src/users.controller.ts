import { Body, Controller, Get, Headers, HttpStatus, Param, Post, Put, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ApiIdempotencyKey,
  ApiProblemResponses,
  IDEMPOTENT_REPLAYED_HEADER,
  IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  IdempotencyKey,
  RequestOrigin,
  ResourceIdPipe,
  type IdempotentRequest,
} from '@aware/common';
import { CreateUserDto, ResourceIdParam, UpdateUserDto, UserDto } from '@aware/contracts';
import { etagOf } from './if-match';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a user; publishes user.created',
    description: 'With an Idempotency-Key, a retry answers the first answer and creates nothing.',
  })
  @ApiCreatedResponse({
    type: UserDto,
    description: 'The created user; ETag is its version.',
    headers: IDEMPOTENT_REPLAYED_RESPONSE_HEADER,
  })
  @ApiIdempotencyKey('An email is owned by another user')
  @ApiProblemResponses(
    HttpStatus.BAD_REQUEST,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  async create(
    @Body() dto: CreateUserDto,
    @RequestOrigin() origin: RequestOrigin,
    @IdempotencyKey() idempotency: IdempotentRequest | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto> {
    const { resource: user, replayed } = await this.users.create(dto, origin, idempotency);
    void reply.header('ETag', etagOf(user.version)).header('Location', `/users/${user.userId}`);
    if (replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return user;
  }

  @ResourceIdParam('userId')
  @Get(':userId')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblemResponses(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async get(
    @Param('userId', ResourceIdPipe) userId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto> {
    const user = await this.users.get(userId);
    void reply.header('ETag', etagOf(user.version));
    return user;
  }

  @ResourceIdParam('userId')
  @Put(':userId')
  @ApiOperation({
    summary: 'Update emails and/or delivery address; publishes user.updated when something changed',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version (ETag) the change is based on; a stale one gives 412.',
  })
  @ApiOkResponse({ type: UserDto, description: 'The updated user.' })
  @ApiProblemResponses(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.PRECONDITION_FAILED,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  async update(
    @Param('userId', ResourceIdPipe) userId: string,
    @Body() dto: UpdateUserDto,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestOrigin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto> {
    const user = await this.users.update(userId, dto, ifMatch, origin);
    void reply.header('ETag', etagOf(user.version));
    return user;
  }
}
