import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  type ValidationError,
} from 'class-validator';
import type { ServiceIdentity } from './service-identity';
import { ORDER_STATUSES, type OrderStatus } from '@aware/contracts';
import { MONGO_URI_PATTERN, mongoUriMessage, splitCommaList } from './env-rules';
import { PACKAGE_VERSION } from './package-version';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The environment as the process receives it; every variable is documented in .env.example. */
class EnvironmentVariables {
  @IsOptional()
  @Type(() => Number)
  @Max(65535)
  @Min(1)
  @IsInt()
  PORT?: number;

  @IsOptional()
  @IsString()
  @Matches(MONGO_URI_PATTERN, { message: mongoUriMessage('MONGO_URI') })
  MONGO_URI?: string;

  @IsOptional()
  @IsString()
  @Matches(/^amqps?:\/\/.+/, { message: 'AMQP_URL must be an amqp:// or amqps:// URL' })
  AMQP_URL?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL?: LogLevelName;

  @IsOptional()
  @IsIn(['text', 'json'])
  LOG_FORMAT?: 'text' | 'json';

  @IsOptional()
  @Transform(splitCommaList)
  @IsIn(ORDER_STATUSES, {
    each: true,
    message: `ORDER_SYNC_STATUSES must be a comma-separated list of: ${ORDER_STATUSES.join(', ')}`,
  })
  ORDER_SYNC_STATUSES?: OrderStatus[];

  @IsOptional()
  @Type(() => Number)
  @Max(600_000)
  @Min(100)
  @IsInt()
  SHUTDOWN_TIMEOUT_MS?: number;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,50}$/, {
    message: 'AMQP_TOPOLOGY_PREFIX must be 1-50 characters of letters, digits, _ . -',
  })
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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface EventsConfig {
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
  ) {}

  get serviceName(): string {
    return this.service.name;
  }

  /** Value of the X-Service-Version header, e.g. `user-v1/1.0.0`. */
  get serviceVersion(): string {
    return `${this.service.name}/${PACKAGE_VERSION}`;
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadAppConfig(
  env: Record<string, string | undefined>,
  service: ServiceIdentity,
): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = plainToInstance(EnvironmentVariables, present);
  // Decorators run bottom-up: the type check sits lowest so a bad value gets one message.
  const errors = validateSync(parsed, { whitelist: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(describe(errors));

  return new AppConfig(
    service,
    parsed.PORT ?? 3000,
    parsed.MONGO_URI ?? `mongodb://127.0.0.1:27017/${service.defaultDatabase}`,
    parsed.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    parsed.LOG_LEVEL ?? 'log',
    parsed.LOG_FORMAT ?? 'text',
    parsed.ORDER_SYNC_STATUSES ?? ['under process', 'shipping'],
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
  );
}
