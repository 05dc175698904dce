/**
 * `npm run rollout -- <set|progressive> …`: changes the user-v1/user-v2 split of the running
 * gateway, through Kong's Admin API or the Kubernetes API server, without a restart (see
 * docs/deploy.md, "Rolling out user-v2", and docs/kubernetes.md).
 */
import { runRolloutCli } from './rollout-cli';

void runRolloutCli(process.argv.slice(2), process.env, {
  log: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  // Not process.exit(): it could cut off output still being written to a pipe.
  process.exitCode = code;
});
