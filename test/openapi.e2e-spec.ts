import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_DIR, renderOpenApiDocuments } from '../scripts/openapi-documents';

describe('committed OpenAPI documents (docs/openapi)', () => {
  it('match what the code generates; run `npm run docs:openapi` after API changes', async () => {
    const documents = await renderOpenApiDocuments();
    expect([...documents.keys()].sort()).toEqual(['order.json', 'user-v1.json', 'user-v2.json']);
    for (const [file, generated] of documents) {
      const committed = readFileSync(join(OPENAPI_DIR, file), 'utf8');
      expect({ file, document: committed }).toEqual({ file, document: generated });
    }
  });

  it.each([
    ['user-v1.json', ['users', 'health', 'metrics']],
    ['user-v2.json', ['users', 'health', 'metrics']],
    ['order.json', ['orders', 'health', 'metrics']],
  ])('%s lists its own API before health and metrics in Swagger UI', (file, tags) => {
    const document = JSON.parse(readFileSync(join(OPENAPI_DIR, file), 'utf8')) as {
      tags: { name: string }[];
    };
    expect(document.tags.map((tag) => tag.name)).toEqual(tags);
  });
});
