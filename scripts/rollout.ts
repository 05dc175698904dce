/**
 * `npm run rollout -- <set|progressive> …`: changes the user-v1/user-v2 split of the running
 * gateway through Kong's Admin API, without a restart (see docs/deploy.md, "Rolling out user-v2").
 */
import { runRolloutCli } from '../libs/gateway/src';

void runRolloutCli(process.argv.slice(2), process.env, {
  log: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
