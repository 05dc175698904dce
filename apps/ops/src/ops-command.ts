import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { OpsConfig } from './ops-config';

/** Exit codes of `node dist/apps/ops/main.js`; scripts depend on them (docs/operations.md). */
export const OpsExit = {
  Done: 0,
  Failed: 1,
  Usage: 2,
  /** drift:audit found drift and did not repair it. */
  DriftFound: 3,
} as const;
export type OpsExit = (typeof OpsExit)[keyof typeof OpsExit];

/** Where a command reports: lines for people and scripts, results on `log`, problems on `warn`. */
export interface OpsOutput {
  log(line: string): void;
  warn(line: string): void;
}

export interface OpsContext {
  config: OpsConfig;
  output: OpsOutput;
}

export interface OpsCommand {
  name: string;
  /** The flags, as the usage shows them. */
  synopsis: string;
  description: string;
  /** Parses the command's flags (throws UsageError) and returns the run they configure. */
  parse(args: string[]): (context: OpsContext) => Promise<OpsExit>;
}

/** A command line that names no command, or flags the command does not take. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** node:util's parse errors; checked by code, as they may come from another realm (Jest). */
function isParseArgsError(error: unknown): error is { code: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_PARSE_ARGS_') &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

/** Parses `--flag` / `--flag value` arguments; anything unknown or malformed is a UsageError. */
export function parseFlags<const Options extends FlagOptions>(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** The value of an integer flag such as `--limit N`, which must be at least 1. */
export function positiveIntegerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  }
  return Number(value);
}
