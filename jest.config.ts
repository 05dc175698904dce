import type { Config } from 'jest';

type ProjectConfig = Exclude<NonNullable<Config['projects']>[number], string>;

const base: ProjectConfig = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform: {
    // The Swagger CLI plugin runs here too, so documents built in tests match `nest build`.
    '^.+\\.ts$': [
      'ts-jest',
      { astTransformers: { before: ['<rootDir>/harness/swagger-plugin-transformer.js'] } },
    ],
  },
  moduleNameMapper: {
    '^@aware/(common|contracts|database|events|users)(|/.*)$': '<rootDir>/libs/$1/src$2',
    '^@aware/harness$': '<rootDir>/harness',
  },
};

const config: Config = {
  testTimeout: 60_000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      // test/*.spec.ts: checks of the repository itself, such as its lint boundaries.
      testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};

export default config;
