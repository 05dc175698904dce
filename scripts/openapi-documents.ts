import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { join } from 'node:path';
import {
  buildOpenApiDocument,
  createHttpAdapter,
  loadAppConfig,
  type RootModuleFactory,
  type ServiceIdentity,
} from '@aware/common';
import { ORDER, orderModule } from '../apps/order/src/app.module';
import { USER_V1, userV1Module } from '../apps/user-v1/src/app.module';
import { USER_V2, userV2Module } from '../apps/user-v2/src/app.module';

const SERVICES: [ServiceIdentity, RootModuleFactory][] = [
  [USER_V1, userV1Module],
  [USER_V2, userV2Module],
  [ORDER, orderModule],
];

export const OPENAPI_DIR = join(__dirname, '..', 'docs', 'openapi');

/**
 * The OpenAPI document of every service, built from the module graph in preview mode: no
 * provider runs, so no database or broker is needed.
 */
export async function renderOpenApiDocuments(): Promise<Map<string, string>> {
  const documents = new Map<string, string>();
  for (const [identity, rootModule] of SERVICES) {
    const config = loadAppConfig({}, identity);
    const app = await NestFactory.create(rootModule(config), createHttpAdapter(), {
      preview: true,
      logger: false,
      abortOnError: false,
    });
    const document: OpenAPIObject = buildOpenApiDocument(app, identity);
    documents.set(`${identity.name}.json`, `${JSON.stringify(document, null, 2)}\n`);
    await app.close();
  }
  return documents;
}
