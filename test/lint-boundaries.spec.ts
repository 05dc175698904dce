import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ALIAS_RULE = '@typescript-eslint/no-restricted-imports';
const RELATIVE_RULE = 'no-restricted-imports';

interface Finding {
  ruleId: string | null;
  message: string;
}

interface Case {
  /** Where the importing file sits, from the repository root; it need not exist. */
  filePath: string;
  source: string;
  /** The rule that must refuse the import, or null when the import is legal. */
  refusedBy: string | null;
}

const CASES: Record<string, Case> = {
  'contracts importing common': {
    filePath: 'libs/contracts/src/values/address.ts',
    source: "import { AppConfig } from '@aware/common';\nexport { AppConfig };\n",
    refusedBy: ALIAS_RULE,
  },
  'contracts importing a type from database': {
    filePath: 'libs/contracts/src/orders/dto/order.dto.ts',
    source: "import type { UserRecord } from '@aware/database';\nexport type { UserRecord };\n",
    refusedBy: ALIAS_RULE,
  },
  'database importing events (upwards)': {
    filePath: 'libs/database/src/users/users.repository.ts',
    source: "import { OutboxRelay } from '@aware/events/outbox-relay';\nexport { OutboxRelay };\n",
    refusedBy: ALIAS_RULE,
  },
  'users importing itself through its alias': {
    filePath: 'libs/users/src/users.service.ts',
    source: "import '@aware/users';\n",
    refusedBy: ALIAS_RULE,
  },
  'events reaching into users by a relative path': {
    filePath: 'libs/events/src/outbox-relay.ts',
    source: "import '../../users/src/users.service';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a nested contracts file climbing into common': {
    filePath: 'libs/contracts/src/orders/dto/order.dto.ts',
    source: "import '../../../../common/src';\n",
    refusedBy: RELATIVE_RULE,
  },
  'an app importing another app': {
    filePath: 'apps/order/src/orders/orders.service.ts',
    source: "import '../../../user-v1/src/app.module';\n",
    refusedBy: RELATIVE_RULE,
  },
  'the rollout CLI importing the ops CLI': {
    filePath: 'apps/rollout/src/rollout-cli.ts',
    source: "import '../../ops/src/ops-command';\n",
    refusedBy: RELATIVE_RULE,
  },
  'an app test importing another app': {
    filePath: 'apps/order/test/create-order.e2e-spec.ts',
    source: "import '../../user-v1/src/app.module';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a cross-service test importing a lib by its path': {
    filePath: 'test/create-user.e2e-spec.ts',
    source: "import '../libs/common/src';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a cross-service test importing app internals': {
    filePath: 'test/create-user.e2e-spec.ts',
    source: "import '../apps/order/src/orders/orders.service';\n",
    refusedBy: RELATIVE_RULE,
  },
  'an app importing the harness': {
    filePath: 'apps/order/src/orders/orders.service.ts',
    source: "import { ServiceProcess } from '@aware/harness';\nexport { ServiceProcess };\n",
    refusedBy: ALIAS_RULE,
  },
  "an app's code importing its test stand-ins": {
    filePath: 'apps/rollout/src/rollout-cli.ts',
    source: "import '../test/gateway-stand-in';\n",
    refusedBy: RELATIVE_RULE,
  },
  'the harness importing itself through its alias': {
    filePath: 'harness/service-process.ts',
    source: "import '@aware/harness';\n",
    refusedBy: ALIAS_RULE,
  },
  'the harness reaching into the test support': {
    filePath: 'harness/broker-topology.ts',
    source: "import '../test/support/infra';\n",
    refusedBy: RELATIVE_RULE,
  },
  'the bench importing the test support': {
    filePath: 'bench/stack.ts',
    source: "import '../test/support/fixtures';\n",
    refusedBy: RELATIVE_RULE,
  },
  'the bench importing a script': {
    filePath: 'bench/run.ts',
    source: "import '../scripts/query-plans';\n",
    refusedBy: RELATIVE_RULE,
  },
  'the bench importing a lib': {
    filePath: 'bench/run.ts',
    source: "import '@aware/database';\n",
    refusedBy: ALIAS_RULE,
  },
  'a script reaching into a lib by its path': {
    filePath: 'scripts/dev.ts',
    source: "import '../libs/common/src/config/env-file';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a script importing app internals': {
    filePath: 'scripts/openapi-documents.ts',
    source: "import '../apps/order/src/orders/orders.module';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a script importing the test support': {
    filePath: 'scripts/test.ts',
    source: "import '../test/support/infra';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a cross-service test importing the harness by its path': {
    filePath: 'test/lifecycle.e2e-spec.ts',
    source: "import '../harness/service-process';\n",
    refusedBy: RELATIVE_RULE,
  },
  'a cross-service test importing the bench': {
    filePath: 'test/lifecycle.e2e-spec.ts',
    source: "import '../bench/report';\n",
    refusedBy: RELATIVE_RULE,
  },
  'an app test importing the harness by its path': {
    filePath: 'apps/ops/test/ops-test-support.ts',
    source: "import '../../../harness';\n",
    refusedBy: RELATIVE_RULE,
  },
  'common importing contracts': {
    filePath: 'libs/common/src/http/resource-id.pipe.ts',
    source: "import { isResourceId } from '@aware/contracts';\nexport { isResourceId };\n",
    refusedBy: null,
  },
  'users importing every lib below it': {
    filePath: 'libs/users/src/users.service.ts',
    source: [
      "import '@aware/contracts';",
      "import '@aware/common';",
      "import '@aware/database';",
      "import '@aware/events/outbox-relay';",
      '',
    ].join('\n'),
    refusedBy: null,
  },
  'a nested file importing within its lib': {
    filePath: 'libs/contracts/src/orders/dto/order.dto.ts',
    source: "import '../../values/email';\n",
    refusedBy: null,
  },
  'an app importing any lib': {
    filePath: 'apps/order/src/orders/orders.service.ts',
    source: "import '@aware/users';\nimport './order-problems';\n",
    refusedBy: null,
  },
  'an app test importing its app and the shared test support': {
    filePath: 'apps/order/test/create-order.e2e-spec.ts',
    source: "import '../src/app.module';\nimport '../../../test/support/fixtures';\n",
    refusedBy: null,
  },
  'a cross-service test starting an app by its root module': {
    filePath: 'test/create-user.e2e-spec.ts',
    source: "import '../apps/user-v1/src/app.module';\nimport './support/fixtures';\n",
    refusedBy: null,
  },
  "a spec importing its app's test stand-ins": {
    filePath: 'apps/rollout/src/rollout.spec.ts',
    source: "import '../test/gateway-stand-in';\nimport './rollout-cli';\n",
    refusedBy: null,
  },
  'the harness importing a lib': {
    filePath: 'harness/broker-topology.ts',
    source: "import '@aware/events';\nimport './util';\n",
    refusedBy: null,
  },
  'the bench importing the harness and its own files': {
    filePath: 'bench/stack.ts',
    source: "import '@aware/harness';\nimport './process-cpu';\n",
    refusedBy: null,
  },
  "a script importing libs, the harness and an app's root module": {
    filePath: 'scripts/openapi-documents.ts',
    source: [
      "import '@aware/common';",
      "import '@aware/harness';",
      "import '../apps/order/src/app.module';",
      "import './query-plans';",
      '',
    ].join('\n'),
    refusedBy: null,
  },
  "a cross-service test importing the harness and a script's module": {
    filePath: 'test/openapi.e2e-spec.ts',
    source: "import '@aware/harness';\nimport '../scripts/openapi-documents';\n",
    refusedBy: null,
  },
};

/** Lints every case in one child process (see test/support/lint-imports.js). */
function lintCases(): Map<string, Finding[]> {
  const names = Object.keys(CASES);
  const output = execFileSync(process.execPath, [join(__dirname, 'support', 'lint-imports.js')], {
    input: JSON.stringify(names.map((name) => CASES[name])),
    encoding: 'utf8',
  });
  const findings = JSON.parse(output) as Finding[][];
  return new Map(names.map((name, index) => [name, findings[index]]));
}

describe('import boundaries in eslint.config.mjs', () => {
  let findings: Map<string, Finding[]>;

  beforeAll(() => {
    findings = lintCases();
  });

  it.each(Object.entries(CASES).filter(([, { refusedBy }]) => refusedBy !== null))(
    'refuses %s',
    (name, { refusedBy }) => {
      expect(findings.get(name)).toEqual([{ ruleId: refusedBy, message: expect.any(String) }]);
    },
  );

  it.each(Object.entries(CASES).filter(([, { refusedBy }]) => refusedBy === null))(
    'allows %s',
    (name) => {
      expect(findings.get(name)).toEqual([]);
    },
  );
});
