import { ConfigModule } from '@nestjs/config';

/** The services, the ops CLI and `npm run dev` read this file from their working directory. */
const ENV_FILE = '.env';

/**
 * Adds the variables of a `.env` file to process.env, except those the environment already sets:
 * the environment wins, and a missing file is fine. This is ConfigModule's own loading; the
 * typed loaders (loadAppConfig, the ops config) validate process.env afterwards, and the code
 * injects AppConfig rather than ConfigService, so the module itself is not imported.
 */
export async function loadEnvFile(path: string = ENV_FILE): Promise<void> {
  await ConfigModule.forRoot({ envFilePath: path });
}
