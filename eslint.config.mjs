// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Which libs each lib may import through its `@aware/*` alias (docs/development.md, "Code boundaries"): the chain
 * contracts ← common ← database ← events ← users ← apps. Apps may import every lib.
 */
const LIB_IMPORTS = {
  contracts: [],
  common: ['contracts'],
  database: ['contracts', 'common'],
  events: ['contracts', 'common', 'database'],
  users: ['contracts', 'common', 'database', 'events'],
};

/** Refuses every `@aware/*` alias but the allowed ones; a lib reaches its own files with `./`. */
const libAliasBoundaries = Object.entries(LIB_IMPORTS).map(([lib, allowed]) => ({
  files: [`libs/${lib}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: allowed.length > 0 ? `^@aware/(?!(${allowed.join('|')})(/|$))` : '^@aware/',
            message: `libs/${lib} may import ${
              allowed.length > 0
                ? allowed.map((name) => `@aware/${name}`).join(', ')
                : 'no other lib'
            } (layering: contracts ← common ← database ← events ← users ← apps).`,
          },
        ],
      },
    ],
  },
}));

/** Folder depth below src/ or test/ up to which the limit below is exact; deeper errs strict. */
const DEEPEST = 4;

/**
 * A relative import may not climb out of its lib or app: another lib comes through its alias,
 * another app not at all. The rule sees only the import text, so the limit is set per folder
 * depth: a file `depth` folders below src/ or test/ leaves its package with depth + 2 `../`.
 * App tests may still reach the shared test/support/. A separate rule from the alias one above,
 * so that the per-lib and the per-depth blocks do not replace each other's options.
 */
const relativeImportBoundaries = Array.from({ length: DEEPEST + 1 }, (_, depth) => {
  const below = '*/'.repeat(depth) + (depth === DEEPEST ? '**/' : '');
  const leavesPackage = `^(\\.\\./){${depth + 2}}`;
  const message =
    'A relative import may not leave its lib or app: import a lib through its @aware alias.';
  return [
    {
      files: [`libs/*/src/${below}*.ts`, `apps/*/src/${below}*.ts`],
      rules: {
        'no-restricted-imports': ['error', { patterns: [{ regex: leavesPackage, message }] }],
      },
    },
    {
      files: [`apps/*/test/${below}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `${leavesPackage}(?!\\.\\./test/support/)`,
                message: `${message} Shared helpers are in test/support/.`,
              },
            ],
          },
        ],
      },
    },
  ];
}).flat();

/** Cross-service tests import libs through their aliases and start an app by its root module. */
const crossServiceTestBoundaries = {
  files: ['test/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(\\.\\./)+libs/',
            message: 'Import a lib through its @aware alias.',
          },
          {
            regex: '^(\\.\\./)+apps/(?![^/]+/src/app\\.module$)',
            message: 'Start an app through its src/app.module (or its build), not its internals.',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Small CommonJS shims for tooling (ts-jest and ts-node hooks).
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Test code, with the support modules beside it (expect.any() and friends are typed any).
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'apps/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  ...libAliasBoundaries,
  ...relativeImportBoundaries,
  crossServiceTestBoundaries,
);
