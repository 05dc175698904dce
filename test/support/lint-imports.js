'use strict';
// Lints source snippets as if they sat at the given paths, with the repository's eslint.config.mjs
// and only its import-boundary rules. Reads [{ filePath, source }] on stdin and writes each
// snippet's findings as JSON. test/lint-boundaries.spec.ts runs it as a child process because
// Jest cannot load an ES module config in its own module system.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { ESLint } = require('eslint');

const ROOT = join(__dirname, '..', '..');
const IMPORT_RULES = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports'];

async function main() {
  const snippets = JSON.parse(readFileSync(0, 'utf8'));
  const eslint = new ESLint({
    cwd: ROOT,
    // The import rules need no type information, so a snippet's path need not exist.
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => IMPORT_RULES.includes(ruleId),
  });
  const findings = [];
  for (const { filePath, source } of snippets) {
    const [result] = await eslint.lintText(source, { filePath: join(ROOT, filePath) });
    findings.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
