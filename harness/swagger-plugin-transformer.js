// ts-jest needs a named, versioned transformer; this applies the Swagger CLI plugin with the
// options from nest-cli.json so documents built in tests match `nest build` exactly.
const { before } = require('@nestjs/swagger/plugin');
const nestCli = require('../nest-cli.json');

const options = nestCli.compilerOptions.plugins.find(
  (plugin) => plugin.name === '@nestjs/swagger',
).options;

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (compiler) => before(options, compiler.program),
};
