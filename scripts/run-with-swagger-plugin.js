// Runs a TypeScript script with the Swagger CLI plugin applied (as `nest build` and the tests do),
// so documents written from scripts carry the same DTO metadata.
const { join } = require('node:path');
const tsNode = require('ts-node');
const transformer = require('../harness/swagger-plugin-transformer');

tsNode.register({
  project: join(__dirname, '..', 'tsconfig.json'),
  transformers: (program) => ({ before: [transformer.factory({ program })] }),
});
require('tsconfig-paths/register');
require(join(process.cwd(), process.argv[2]));
