import { loadEnvFile } from '@aware/common';
import { runOpsCommand } from './ops-cli';

void loadEnvFile()
  .then(() => runOpsCommand(process.argv.slice(2), process.env))
  .then((code) => {
    // Not process.exit(): it could cut off output still being written to a pipe.
    process.exitCode = code;
  });
