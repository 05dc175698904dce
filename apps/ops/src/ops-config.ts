import { IsOptional } from 'class-validator';
import {
  DEFAULT_AMQP_URL,
  DEFAULT_ORDER_SYNC_STATUSES,
  IsAmqpUrl,
  IsMongoUri,
  IsOrderSyncStatuses,
  IsTopologyPrefix,
  validateEnvironment,
} from '@aware/common';
import type { OrderStatus } from '@aware/contracts';

/** The environment of the ops commands; the names, meanings and rules are the services'. */
class OpsEnvironmentVariables {
  @IsOptional()
  @IsMongoUri('USERS_MONGO_URI')
  USERS_MONGO_URI?: string;

  @IsOptional()
  @IsMongoUri('ORDERS_MONGO_URI')
  ORDERS_MONGO_URI?: string;

  @IsOptional()
  @IsAmqpUrl()
  AMQP_URL?: string;

  @IsOptional()
  @IsTopologyPrefix()
  AMQP_TOPOLOGY_PREFIX?: string;

  @IsOptional()
  @IsOrderSyncStatuses()
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
  const parsed = validateEnvironment(OpsEnvironmentVariables, env);
  return {
    usersMongoUri: parsed.USERS_MONGO_URI ?? 'mongodb://127.0.0.1:27017/users',
    ordersMongoUri: parsed.ORDERS_MONGO_URI ?? 'mongodb://127.0.0.1:27017/orders',
    amqpUrl: parsed.AMQP_URL ?? DEFAULT_AMQP_URL,
    topologyPrefix: parsed.AMQP_TOPOLOGY_PREFIX ? `${parsed.AMQP_TOPOLOGY_PREFIX}.` : '',
    orderSyncStatuses: parsed.ORDER_SYNC_STATUSES ?? DEFAULT_ORDER_SYNC_STATUSES,
  };
}
