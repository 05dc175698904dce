import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The checkout the CLI runs in: the nearest folder above this module that holds package.json
 * (from apps/rollout/src under ts-node, as `npm run rollout` runs it, or from dist/apps/rollout
 * after `nest build rollout`). The rollout renders with that checkout's kong/ files.
 */
function repositoryRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The gateway's config renderer; the Kong image's entrypoint runs the same script. */
const KONG_RENDER_SCRIPT = join(repositoryRoot(), 'kong', 'render.sh');

/** The renderer refused its input; the message names the variable and the value. */
export class KongConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KongConfigError';
  }
}

/** Renders the declarative config for the given environment (P_VALUE, API_CONSUMERS, …). */
export function renderKongConfig(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'sh',
      [KONG_RENDER_SCRIPT],
      { env, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const message = stderr.trim() || error.message;
          reject(new KongConfigError(message.replace(/^kong config: /, '')));
          return;
        }
        resolvePromise(stdout);
      },
    );
  });
}

/** P as the rollout and the renderer accept it: an integer 0-100, written plainly. */
export function parsePercent(value: string, name = 'P'): number {
  if (!/^(0|[1-9][0-9]?|100)$/.test(value)) {
    throw new KongConfigError(
      `${name} must be an integer from 0 to 100 (percent of user traffic to user-v1), got "${value}"`,
    );
  }
  return Number(value);
}
