import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LOG_LEVELS, type AppConfig } from '../config/app-config';

/** Levels from `fatal` up to the configured one, as LOG_LEVEL names the most verbose level kept. */
function logLevelsUpTo(level: AppConfig['logLevel']): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/**
 * Colours on a terminal only, unless FORCE_COLOR asks for them (npm run dev does, for the pipes
 * it reads on a terminal); never with NO_COLOR.
 */
export function colorsWanted(
  env: Record<string, string | undefined> = process.env,
  onTerminal: boolean = Boolean(process.stdout.isTTY),
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return onTerminal;
}

/**
 * Text lines without Nest's `[Nest] <pid>  -` head: what runs a service labels its lines already
 * (npm run dev, docker compose), and JSON lines carry the pid.
 */
class ServiceLogger extends ConsoleLogger {
  protected override formatPid(): string {
    return '';
  }
}

export function createLogger(config: AppConfig): ConsoleLogger {
  const json = config.logFormat === 'json';
  return new ServiceLogger({
    json,
    colors: !json && colorsWanted(),
    logLevels: logLevelsUpTo(config.logLevel),
  });
}

type LogFields = Record<string, string | number | boolean | undefined>;

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
