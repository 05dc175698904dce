import type { Config } from 'jest';

const swaggerPlugin = {
  path: '@nestjs/swagger/plugin',
  options: { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
};

const base = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform: {
    // The Swagger CLI plugin runs here too, so documents built in tests match `nest build`.
    '^.+\\.ts$': ['ts-jest', { astTransformers: { before: [swaggerPlugin] } }],
  },
  moduleNameMapper: {
    '^@aware/(common|contracts|database|events|users)(|/.*)$': '<rootDir>/libs/$1/src$2',
  },
};

const config: Config = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      testTimeout: 60_000,
    },
  ],
};

export default config;
