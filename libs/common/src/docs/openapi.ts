import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type PathsObject,
  type TagObject,
} from '@nestjs/swagger';
import { PACKAGE_VERSION } from '../config/package-version';
import type { ServiceIdentity } from '../config/service-identity';

/** The tags of the endpoints every service has for operators, in the order they are listed. */
const OPERATIONAL_TAGS = ['health', 'metrics'];
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Swagger UI lists tags in the order of the document's `tags`: the service's own API (users,
 * orders) first, in the order of its routes, then the operational endpoints.
 */
export function tagsInOrder(paths: PathsObject): TagObject[] {
  const used = new Set(
    Object.values(paths).flatMap((path) =>
      HTTP_METHODS.flatMap((method) => path[method]?.tags ?? []),
    ),
  );
  const business = [...used].filter((tag) => !OPERATIONAL_TAGS.includes(tag));
  const operational = OPERATIONAL_TAGS.filter((tag) => used.has(tag));
  return [...business, ...operational].map((name) => ({ name }));
}

export function buildOpenApiDocument(
  app: INestApplication,
  identity: ServiceIdentity,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(identity.title)
    .setDescription(identity.description)
    .setVersion(PACKAGE_VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  return { ...document, tags: tagsInOrder(document.paths) };
}

/** Swagger UI at /docs and the document at /docs/json (docs/api.md). */
export function setupOpenApi(app: INestApplication, identity: ServiceIdentity): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, identity), {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
  });
}
