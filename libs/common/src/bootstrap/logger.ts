import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LOG_LEVELS, type AppConfig } from '../config/app-config';

/** Levels from `fatal` up to the configured one, as LOG_LEVEL names the most verbose level kept. */
export function logLevelsUpTo(level: AppConfig['logLevel']): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

export function createLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({
    prefix: config.serviceName,
    json: config.logFormat === 'json',
    logLevels: logLevelsUpTo(config.logLevel),
  });
}

export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * One log line's fields: an object in JSON format (the logger adds level, time and context), a
 * compact `key=value` line in text format.
 */
export function logFields(config: AppConfig, fields: LogFields): LogFields | string {
  if (config.logFormat === 'json') return fields;
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}
