import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCE_ID_PATTERN } from '@aware/contracts';

/** The names under which a user or order id appears, in a path, a query or a body. */
const ID_NAMES = new Set(['userId', 'orderId']);

interface IdSchema {
  where: string;
  schema: Record<string, unknown>;
}

/** Every schema of a parameter or property named like an id, anywhere in an OpenAPI document. */
function idSchemas(node: unknown, where = ''): IdSchema[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => idSchemas(item, `${where}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const found: IdSchema[] = [];
  if (typeof record.name === 'string' && ID_NAMES.has(record.name) && 'schema' in record) {
    found.push({ where: `${where} (${record.name})`, schema: record.schema as IdSchema['schema'] });
  }
  const properties = record.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, schema] of Object.entries(properties ?? {})) {
    if (ID_NAMES.has(name)) found.push({ where: `${where}.properties.${name}`, schema });
  }
  for (const [key, value] of Object.entries(record))
    found.push(...idSchemas(value, `${where}.${key}`));
  return found;
}

/** Where a schema does not state the opaque-id rule the API applies. */
function misstatedIds(document: unknown): string[] {
  return idSchemas(document)
    .filter(
      ({ schema }) => schema.format !== undefined || schema.pattern !== RESOURCE_ID_PATTERN.source,
    )
    .map(({ where }) => where);
}

describe('ids in the committed OpenAPI documents', () => {
  it.each(['user-v1', 'user-v2', 'order'])(
    '%s states the opaque-id pattern for every id',
    (app) => {
      const document: unknown = JSON.parse(
        readFileSync(join(__dirname, '..', 'docs', 'openapi', `${app}.json`), 'utf8'),
      );
      expect(idSchemas(document).length).toBeGreaterThan(1);
      expect(misstatedIds(document)).toEqual([]);
    },
  );

  it('catches an id documented as a UUID or without its pattern', () => {
    const document = {
      paths: { '/orders/{orderId}': { get: { parameters: [{ name: 'orderId', schema: {} }] } } },
      components: { schemas: { OrderDto: { properties: { userId: { format: 'uuid' } } } } },
    };
    expect(misstatedIds(document)).toHaveLength(2);
  });
});
