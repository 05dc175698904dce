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
