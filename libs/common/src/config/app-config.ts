import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ServiceIdentity } from './service-identity';
import type { OrderStatus } from '@aware/contracts';
import {
  DEFAULT_AMQP_URL,
  DEFAULT_ORDER_SYNC_STATUSES,
  IsAmqpUrl,
  IsMongoUri,
  IsOrderSyncStatuses,
  IsTopologyPrefix,
  validateEnvironment,
} from './env-rules';
import { PACKAGE_VERSION } from './package-version';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/**
 * Whether the order service runs as its database's only writer: `auto` probes the engine at
 * start (a lease only where conditional updates are not atomic), `always` and `never` decide.
 */
const WRITER_LEASE_MODES = ['auto', 'always', 'never'] as const;
type WriterLeaseMode = (typeof WRITER_LEASE_MODES)[number];
type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * What an order process runs: `api` serves HTTP and consumes nothing, `consumer` applies events
 * and serves only health and metrics, `all` both. Split, the consumer scales on queue depth
 * without scaling the API.
 */
const ORDER_ROLES = ['api', 'consumer', 'all'] as const;
type OrderRole = (typeof ORDER_ROLES)[number];

/**
 * The environment as the process receives it; every variable is documented in .env.example.
 * Decorators run bottom-up: the type check sits lowest so a bad value gets one message.
 */
class EnvironmentVariables {
  @IsOptional()
  @Type(() => Number)
  @Max(65535)
  @Min(1)
  @IsInt()
  PORT?: number;

  @IsOptional()
  @IsMongoUri('MONGO_URI')
  MONGO_URI?: string;

  @IsOptional()
  @IsAmqpUrl()
  AMQP_URL?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL?: LogLevelName;

  @IsOptional()
  @IsIn(['text', 'json'])
  LOG_FORMAT?: 'text' | 'json';

  @IsOptional()
  @IsOrderSyncStatuses()
  ORDER_SYNC_STATUSES?: OrderStatus[];

  @IsOptional()
  @IsIn(ORDER_ROLES, { message: `ORDER_ROLE must be one of: ${ORDER_ROLES.join(', ')}` })
  ORDER_ROLE?: OrderRole;

  @IsOptional()
  @Type(() => Number)
  @Max(600_000)
  @Min(100)
  @IsInt()
  SHUTDOWN_TIMEOUT_MS?: number;

  @IsOptional()
  @IsTopologyPrefix()
  AMQP_TOPOLOGY_PREFIX?: string;

  @IsOptional()
  @Type(() => Number)
  @Max(1_000)
  @Min(1)
  @IsInt()
  AMQP_DELIVERY_LIMIT?: number;

  @IsOptional()
  @Type(() => Number)
  @Max(10_000)
  @Min(1)
  @IsInt()
  AMQP_PREFETCH?: number;

  @IsOptional()
  @Type(() => Number)
  @Max(600_000)
  @Min(100)
  @IsInt()
  PUBLISH_TIMEOUT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @Max(600_000)
  @Min(50)
  @IsInt()
  OUTBOX_SWEEP_INTERVAL_MS?: number;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'AMQP_DECLARE_TOPOLOGY must be true or false' })
  AMQP_DECLARE_TOPOLOGY?: 'true' | 'false';

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'DB_COMMAND_STATS must be true or false' })
  DB_COMMAND_STATS?: 'true' | 'false';

  @IsOptional()
  @Type(() => Number)
  @Max(720)
  @Min(1)
  @IsInt()
  IDEMPOTENCY_KEY_TTL_HOURS?: number;

  @IsOptional()
  @IsIn(WRITER_LEASE_MODES, {
    message: `ORDER_WRITER_LEASE must be one of ${WRITER_LEASE_MODES.join(', ')}`,
  })
  ORDER_WRITER_LEASE?: WriterLeaseMode;
}

/** How long an Idempotency-Key is kept by default: a day of retries. */
const DEFAULT_IDEMPOTENCY_KEY_TTL_HOURS = 24;
const HOUR_MS = 3_600_000;

interface EventsConfig {
  /** Prepended to every exchange and queue name; isolates copies of the system on one broker. */
  readonly topologyPrefix: string;
  /** Deliveries of one message before the queue dead-letters it. */
  readonly deliveryLimit: number;
  readonly prefetch: number;
  /** How long a publish waits for the broker's confirm before the outbox keeps it for later. */
  readonly publishTimeoutMs: number;
  readonly outboxSweepIntervalMs: number;
  /**
   * True: the service declares the whole topology at start (development, tests). False: the
   * broker's definitions own it and the service only checks that what it uses exists, so its
   * broker user needs no configure permission at all.
   */
  readonly declareTopology: boolean;
}

/** Typed, validated configuration of one service process; injected wherever config is needed. */
export class AppConfig {
  constructor(
    readonly service: ServiceIdentity,
    readonly port: number,
    readonly mongoUri: string,
    readonly amqpUrl: string,
    readonly logLevel: LogLevelName,
    readonly logFormat: 'text' | 'json',
    readonly orderSyncStatuses: readonly OrderStatus[],
    readonly shutdownTimeoutMs: number,
    readonly events: EventsConfig,
    /** Bench mode: count database commands per HTTP operation and consumed event on /metrics. */
    readonly dbCommandStats = false,
    /** How long an Idempotency-Key of a create is kept, at least (docs/api.md). */
    readonly idempotencyKeyTtlMs = DEFAULT_IDEMPOTENCY_KEY_TTL_HOURS * HOUR_MS,
    readonly orderWriterLease: WriterLeaseMode = 'auto',
    /** order only: which parts the process runs (ORDER_ROLE). */
    readonly orderRole: OrderRole = 'all',
  ) {}

  /** False for an order consumer process: it serves no API, so no API documents either. */
  get servesHttpApi(): boolean {
    return this.orderRole !== 'consumer';
  }

  get serviceName(): string {
    return this.service.name;
  }

  /** Value of the X-Service-Version header, e.g. `user-v1/1.0.0`. */
  get serviceVersion(): string {
    return `${this.service.name}/${PACKAGE_VERSION}`;
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadAppConfig(
  env: Record<string, string | undefined>,
  service: ServiceIdentity,
): AppConfig {
  const parsed = validateEnvironment(EnvironmentVariables, env);
  return new AppConfig(
    service,
    parsed.PORT ?? 3000,
    parsed.MONGO_URI ?? `mongodb://127.0.0.1:27017/${service.defaultDatabase}`,
    parsed.AMQP_URL ?? DEFAULT_AMQP_URL,
    parsed.LOG_LEVEL ?? 'log',
    parsed.LOG_FORMAT ?? 'text',
    parsed.ORDER_SYNC_STATUSES ?? DEFAULT_ORDER_SYNC_STATUSES,
    parsed.SHUTDOWN_TIMEOUT_MS ?? 10_000,
    {
      topologyPrefix: parsed.AMQP_TOPOLOGY_PREFIX ? `${parsed.AMQP_TOPOLOGY_PREFIX}.` : '',
      deliveryLimit: parsed.AMQP_DELIVERY_LIMIT ?? 10,
      prefetch: parsed.AMQP_PREFETCH ?? 50,
      publishTimeoutMs: parsed.PUBLISH_TIMEOUT_MS ?? 5_000,
      outboxSweepIntervalMs: parsed.OUTBOX_SWEEP_INTERVAL_MS ?? 1_000,
      declareTopology: parsed.AMQP_DECLARE_TOPOLOGY !== 'false',
    },
    parsed.DB_COMMAND_STATS === 'true',
    (parsed.IDEMPOTENCY_KEY_TTL_HOURS ?? DEFAULT_IDEMPOTENCY_KEY_TTL_HOURS) * HOUR_MS,
    parsed.ORDER_WRITER_LEASE ?? 'auto',
    parsed.ORDER_ROLE ?? 'all',
  );
}
