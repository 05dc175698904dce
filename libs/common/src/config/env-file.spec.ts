import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';
import { loadEnvFile } from './env-file';
import type { ServiceIdentity } from './service-identity';

const ORDER: ServiceIdentity = {
  name: 'order',
  defaultDatabase: 'orders',
  title: 'Order',
  description: 'Order',
};

describe('loadEnvFile', () => {
  const variables = ['PORT', 'LOG_LEVEL'];
  /** Only what this test sets: the runner's own environment (e.g. MONGO_URI) stays out. */
  const testedVariables = (): Record<string, string | undefined> =>
    Object.fromEntries(variables.map((name) => [name, process.env[name]]));
  let dir: string;
  let envFile: string;

  beforeEach(() => {
    for (const name of variables) delete process.env[name];
    dir = mkdtempSync(join(tmpdir(), 'aware-env-'));
    envFile = join(dir, '.env');
    writeFileSync(envFile, '# a comment\nPORT=4000\nLOG_LEVEL=debug\n');
  });

  afterEach(() => {
    for (const name of variables) delete process.env[name];
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the variables of the file', async () => {
    await loadEnvFile(envFile);

    const config = loadAppConfig(testedVariables(), ORDER);
    expect(config.port).toBe(4000);
    expect(config.logLevel).toBe('debug');
  });

  it('leaves a variable the environment sets as it is', async () => {
    process.env.PORT = '5000';

    await loadEnvFile(envFile);

    const config = loadAppConfig(testedVariables(), ORDER);
    expect(config.port).toBe(5000);
    expect(config.logLevel).toBe('debug');
  });

  it('is fine without a file', async () => {
    await loadEnvFile(join(dir, 'absent.env'));

    expect(loadAppConfig(testedVariables(), ORDER).port).toBe(3000);
  });
});
