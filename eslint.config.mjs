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

/** The libs' alias names, as each lib's `@aware/<name>`. */
const LIBS = Object.keys(LIB_IMPORTS);

/**
 * Apps ship in images and import libs only; the harness (`@aware/harness`: engines, service
 * processes, throwaway topologies) is for what runs around them — tests, bench, scripts.
 */
const appAliasBoundaries = {
  files: ['apps/*/src/**/*.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^@aware/harness',
            message: 'An app imports libs only; @aware/harness is for tests, bench and scripts.',
          },
        ],
      },
    ],
  },
};

/** The harness may use the libs (e.g. the topology names of @aware/events), nothing else by alias. */
const harnessAliasBoundaries = {
  files: ['harness/**/*.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^@aware/(?!(${LIBS.join('|')})(/|$))`,
            message:
              'harness/ may import the libs through their aliases and its own files with ./.',
          },
        ],
      },
    ],
  },
};

/** The bench measures the built services from outside: through HTTP, the database and the harness. */
const benchAliasBoundaries = {
  files: ['bench/**/*.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^@aware/(?!harness$)',
            message: 'bench/ may import @aware/harness, not a lib: it measures the built services.',
          },
        ],
      },
    ],
  },
};

/** Folder depth below a package's root up to which the limits below are exact; deeper errs strict. */
const DEEPEST = 4;

/**
 * One block per folder depth for the files below `roots` (globs of package roots): a rule sees
 * only the import text, so a file `depth` folders below its root leaves its package with
 * depth + `climb` `../`. Leaving is refused unless what follows matches `allowed` (a regex
 * source). `within` refuses folders of the package's own root as well: `{ folder, message }`.
 */
function relativeImportBlocks({ roots, climb, allowed, message, ignores, within = [] }) {
  return Array.from({ length: DEEPEST + 1 }, (_, depth) => {
    const below = '*/'.repeat(depth) + (depth === DEEPEST ? '**/' : '');
    const leaves = `^(\\.\\./){${depth + climb}}`;
    const toRoot = `^(\\.\\./){${depth + climb - 1}}`;
    return {
      files: roots.map((root) => `${root}/${below}*.ts`),
      ...(ignores && { ignores }),
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              { regex: allowed ? `${leaves}(?!${allowed})` : leaves, message },
              ...within.map(({ folder, message: why }) => ({
                regex: `${toRoot}${folder}/`,
                message: why,
              })),
            ],
          },
        ],
      },
    };
  });
}

const LEAVES_PACKAGE =
  'A relative import may not leave its lib or app: import a lib through its @aware alias.';

/**
 * A relative import may not climb out of its package (a lib, an app, harness/, bench/, scripts/):
 * a lib or the harness comes through its @aware alias, another app not at all. App tests may
 * still reach the shared test/support/; an app's code (not its specs) may not reach its test/;
 * scripts may start an app through its src/app.module, as cross-service tests do. A separate rule
 * from the alias ones above, so that the per-package and the per-depth blocks do not replace
 * each other's options.
 */
const relativeImportBoundaries = [
  ...relativeImportBlocks({
    roots: ['libs/*/src', 'apps/*/src'],
    climb: 2,
    message: LEAVES_PACKAGE,
  }),
  ...relativeImportBlocks({
    roots: ['apps/*/src'],
    ignores: ['**/*.spec.ts'],
    climb: 2,
    message: LEAVES_PACKAGE,
    within: [
      {
        folder: 'test',
        message: "Only a spec may import the app's test/ folder: stand-ins live with the tests.",
      },
    ],
  }),
  ...relativeImportBlocks({
    roots: ['apps/*/test'],
    climb: 2,
    allowed: '\\.\\./test/support/',
    message: `${LEAVES_PACKAGE} Shared helpers are in test/support/.`,
  }),
  ...relativeImportBlocks({
    roots: ['harness', 'bench'],
    climb: 1,
    message: 'A relative import may not leave its folder: use @aware/harness or a lib alias.',
  }),
  ...relativeImportBlocks({
    roots: ['scripts'],
    climb: 1,
    allowed: 'apps/[^/]+/src/app\\.module$',
    message:
      'A script imports libs and the harness through their @aware aliases, and an app only through its src/app.module.',
  }),
];

/**
 * Cross-service tests import libs and the harness through their aliases, start an app by its
 * root module, and may import a script's module to check what the script does; bench/ is not
 * theirs to import.
 */
const crossServiceTestBoundaries = {
  files: ['test/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(\\.\\./)+(libs|harness)(/|$)',
            message: 'Import a lib or the harness through its @aware alias.',
          },
          {
            regex: '^(\\.\\./)+apps/(?![^/]+/src/app\\.module$)',
            message: 'Start an app through its src/app.module (or its build), not its internals.',
          },
          {
            regex: '^(\\.\\./)+bench(/|$)',
            message: 'Tests do not import the bench; shared process helpers are in @aware/harness.',
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
  appAliasBoundaries,
  harnessAliasBoundaries,
  benchAliasBoundaries,
  ...relativeImportBoundaries,
  crossServiceTestBoundaries,
);
