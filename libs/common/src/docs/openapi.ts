import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PACKAGE_VERSION } from '../config/package-version';
import type { ServiceIdentity } from '../config/service-identity';

export function buildOpenApiDocument(
  app: INestApplication,
  identity: ServiceIdentity,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(identity.title)
    .setDescription(identity.description)
    .setVersion(PACKAGE_VERSION)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the document at /docs/json (docs/api.md). */
export function setupOpenApi(app: INestApplication, identity: ServiceIdentity): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, identity), {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
  });
}
