/**
 * The rules of the variables both the services and the ops CLI read, so a value one of them
 * accepts the other accepts too (docs/operations.md).
 */
import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform, type ClassConstructor } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsIn,
  IsString,
  Matches,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '@aware/contracts';

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_ORDER_SYNC_STATUSES: readonly OrderStatus[] = ['under process', 'shipping'];

/** A MongoDB URI that names its database in the path (docs/operations.md). */
const MONGO_URI_PATTERN = /^mongodb(\+srv)?:\/\/[^/]+\/[A-Za-z0-9_-]+(\?.*)?$/;

/** class-transformer @Transform: "a, b,c" → ["a", "b", "c"]. */
const splitCommaList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;

// applyDecorators applies its arguments first to last, as stacked decorators run bottom-up: the
// type check comes first, so a bad value gets one message.

export function IsMongoUri(variable: string): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(MONGO_URI_PATTERN, {
      message: `${variable} must be a mongodb:// URI with the database name in its path`,
    }),
  );
}

export function IsAmqpUrl(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(/^amqps?:\/\/.+/, { message: 'AMQP_URL must be an amqp:// or amqps:// URL' }),
  );
}

/** Prepended (with a dot) to every exchange and queue name. */
export function IsTopologyPrefix(): PropertyDecorator {
  return Matches(/^[A-Za-z0-9_.-]{1,50}$/, {
    message: 'AMQP_TOPOLOGY_PREFIX must be 1-50 characters of letters, digits, _ . -',
  });
}

/**
 * ORDER_SYNC_STATUSES: a comma-separated list naming at least one status. A list of nothing
 * (",") would silently stop all syncing, so it is refused; unset or empty means the default.
 */
export function IsOrderSyncStatuses(): PropertyDecorator {
  return applyDecorators(
    Transform(splitCommaList),
    ArrayNotEmpty({ message: 'ORDER_SYNC_STATUSES must name at least one status' }),
    IsIn(ORDER_STATUSES, {
      each: true,
      message: `ORDER_SYNC_STATUSES must be a comma-separated list of: ${ORDER_STATUSES.join(', ')}`,
    }),
  );
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );
}

/**
 * The variables `schema` declares, converted and validated; unset and empty ones are left out, so
 * they take their defaults. Throws ConfigError naming every bad variable.
 */
export function validateEnvironment<T extends object>(
  schema: ClassConstructor<T>,
  env: Record<string, string | undefined>,
): T {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = plainToInstance(schema, present);
  const errors = validateSync(parsed, { whitelist: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(describe(errors));
  return parsed;
}
