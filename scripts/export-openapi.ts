import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_DIR, renderOpenApiDocuments } from './openapi-documents';

async function main(): Promise<void> {
  mkdirSync(OPENAPI_DIR, { recursive: true });
  for (const [file, content] of await renderOpenApiDocuments()) {
    writeFileSync(join(OPENAPI_DIR, file), content);
    process.stdout.write(`wrote docs/openapi/${file}\n`);
  }
}

void main();
