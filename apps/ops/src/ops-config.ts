import { plainToInstance, Transform } from 'class-transformer';
import { ArrayNotEmpty, IsIn, IsOptional, IsString, Matches, validateSync } from 'class-validator';
import { ConfigError, MONGO_URI_PATTERN, mongoUriMessage, splitCommaList } from '@aware/common';
import { ORDER_STATUSES, type OrderStatus } from '@aware/contracts';

/** The environment of the ops commands; the names and meanings are the services' (docs/operations.md). */
class OpsEnvironmentVariables {
  @IsOptional()
  @IsString()
  @Matches(MONGO_URI_PATTERN, { message: mongoUriMessage('USERS_MONGO_URI') })
  USERS_MONGO_URI?: string;

  @IsOptional()
  @IsString()
  @Matches(MONGO_URI_PATTERN, { message: mongoUriMessage('ORDERS_MONGO_URI') })
  ORDERS_MONGO_URI?: string;

  @IsOptional()
  @IsString()
  @Matches(/^amqps?:\/\/.+/, { message: 'AMQP_URL must be an amqp:// or amqps:// URL' })
  AMQP_URL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,50}$/, {
    message: 'AMQP_TOPOLOGY_PREFIX must be 1-50 characters of letters, digits, _ . -',
  })
  AMQP_TOPOLOGY_PREFIX?: string;

  @IsOptional()
  @Transform(splitCommaList)
  @ArrayNotEmpty({ message: 'ORDER_SYNC_STATUSES must name at least one status' })
  @IsIn(ORDER_STATUSES, {
    each: true,
    message: `ORDER_SYNC_STATUSES must be a comma-separated list of: ${ORDER_STATUSES.join(', ')}`,
  })
  ORDER_SYNC_STATUSES?: OrderStatus[];
}

export interface OpsConfig {
  readonly usersMongoUri: string;
  readonly ordersMongoUri: string;
  readonly amqpUrl: string;
  /** Prepended to every exchange and queue name, as in the services' AppConfig. */
  readonly topologyPrefix: string;
  /** Which orders follow their user (docs/events.md); the drift audit checks those. */
  readonly orderSyncStatuses: readonly OrderStatus[];
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadOpsConfig(env: Record<string, string | undefined>): OpsConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = plainToInstance(OpsEnvironmentVariables, present);
  const errors = validateSync(parsed, { whitelist: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.flatMap((error) => Object.values(error.constraints ?? {})));
  }
  return {
    usersMongoUri: parsed.USERS_MONGO_URI ?? 'mongodb://127.0.0.1:27017/users',
    ordersMongoUri: parsed.ORDERS_MONGO_URI ?? 'mongodb://127.0.0.1:27017/orders',
    amqpUrl: parsed.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    topologyPrefix: parsed.AMQP_TOPOLOGY_PREFIX ? `${parsed.AMQP_TOPOLOGY_PREFIX}.` : '',
    orderSyncStatuses: parsed.ORDER_SYNC_STATUSES ?? ['under process', 'shipping'],
  };
}
