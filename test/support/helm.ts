import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO = resolve(__dirname, '..', '..');
export const CHARTS = join(REPO, 'deploy/helm');
/** The CRDs of the engines the charts use, at the releases they are written for. */
const CRDS = join(CHARTS, 'crds');
/** The Kubernetes version whose built-in schemas kubectl-validate checks native objects with. */
const KUBERNETES_VERSION = '1.30';
const TOOLS_DIR = process.env.AWARE_TOOLS_DIR || join(homedir(), '.cache/aware-tools');

/** A rendered Kubernetes object, as far as the checks read it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

function tool(name: 'helm' | 'kubectl-validate'): string {
  const path = join(TOOLS_DIR, name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} not found at ${path}: run scripts/tools/build-tools.sh ${name} (it builds it from ` +
        'the Go module proxy into that cache; set AWARE_TOOLS_DIR to use another directory)',
    );
  }
  return path;
}

function run(command: string, args: string[]): RunResult {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function helm(args: string[]): RunResult {
  return run(tool('helm'), args);
}

/** `helm template` of a chart under deploy/helm with values files (under the chart) and --set pairs. */
export function template(
  chart: 'aware' | 'aware-data',
  valuesFiles: string[],
  set: Record<string, string | number> = {},
): RunResult {
  const args = ['template', chart, join(CHARTS, chart)];
  for (const file of valuesFiles) args.push('-f', join(CHARTS, chart, file));
  for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${value}`);
  return helm(args);
}

/** Renders and parses; fails with helm's message when it refuses. */
export function render(
  chart: 'aware' | 'aware-data',
  valuesFiles: string[],
  set: Record<string, string | number> = {},
): { text: string; objects: K8sObject[] } {
  const result = template(chart, valuesFiles, set);
  if (result.status !== 0) throw new Error(`helm template ${chart} failed:\n${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  return { text: result.stdout, objects };
}

/** kubectl-validate of YAML text against the native schemas and every CRD under deploy/helm/crds. */
export function validate(yamlText: string): RunResult {
  const crdDirs = readdirSync(CRDS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(CRDS, entry.name));
  const dir = mkdtempSync(join(tmpdir(), 'aware-manifests-'));
  try {
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, yamlText);
    return run(tool('kubectl-validate'), [
      file,
      '--version',
      KUBERNETES_VERSION,
      ...crdDirs.flatMap((crdDir) => ['--local-crds', crdDir]),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
