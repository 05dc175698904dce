/**
 * Exported names that no other file imports (docs/development.md, "Exports"): an export is there
 * for another file, so a name only its own file uses is not exported, and one nothing uses is
 * removed. Reads the program of tsconfig.json with the TypeScript compiler. An import counts
 * whichever way it comes (directly, through an index, as a type, from a spec); a re-export (an
 * index's `export *` or `export { … } from`) counts only when some file imports a name through it.
 */
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

/** Exports a tool reads by convention, not through an import. */
const CONVENTIONAL = new Set(['jest.config.ts: default']);

interface UnusedExport {
  /** `path: name` for a declaration, `path: export * from '…'` for a re-export; the path from the repository root. */
  readonly id: string;
  readonly line: number;
}

function loadProgram(root: string): ts.Program {
  const configPath = join(root, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
}

export function findUnusedExports(root: string): UnusedExport[] {
  const program = loadProgram(root);
  const checker = program.getTypeChecker();
  /** The declaration a symbol stands for, through any import or re-export. */
  const original = (symbol: ts.Symbol): ts.Symbol =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const exportsOf = (module: ts.Symbol): ts.Symbol[] =>
    checker.getExportsOfModule(module).map(original);

  const ours = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !file.fileName.includes('/node_modules/'));

  // What each module is imported for: the declarations every import names, by the module (file)
  // the import goes through.
  const importedThrough = new Map<ts.Symbol, Set<ts.Symbol>>();
  const allImported = new Set<ts.Symbol>();
  const note = (module: ts.Symbol | undefined, symbols: ts.Symbol[]): void => {
    if (!module) return;
    const set = importedThrough.get(module) ?? new Set<ts.Symbol>();
    importedThrough.set(module, set);
    for (const symbol of symbols) {
      set.add(symbol);
      allImported.add(symbol);
    }
  };
  for (const file of ours) {
    for (const statement of file.statements) {
      if (!ts.isImportDeclaration(statement) || !statement.importClause) continue;
      const module = checker.getSymbolAtLocation(statement.moduleSpecifier);
      const { name, namedBindings } = statement.importClause;
      const named: (ts.Symbol | undefined)[] = [];
      if (name) named.push(checker.getSymbolAtLocation(name));
      if (namedBindings && ts.isNamespaceImport(namedBindings)) {
        if (module) named.push(...exportsOf(module));
      } else if (namedBindings) {
        named.push(...namedBindings.elements.map((each) => checker.getSymbolAtLocation(each.name)));
      }
      note(
        module,
        named.filter((symbol): symbol is ts.Symbol => symbol !== undefined).map(original),
      );
    }
  }

  // A name imported through an index is imported through the module it re-exports it from
  // (an index may re-export another index).
  const reExports = new Map<ts.Symbol, ts.Symbol[]>();
  for (const file of ours) {
    const module = checker.getSymbolAtLocation(file);
    const sources = file.statements
      .filter(ts.isExportDeclaration)
      .map((statement) => statement.moduleSpecifier)
      .filter((specifier): specifier is ts.Expression => specifier !== undefined)
      .map((specifier) => checker.getSymbolAtLocation(specifier))
      .filter((source): source is ts.Symbol => source !== undefined);
    if (module && sources.length > 0) reExports.set(module, sources);
  }
  const pending = [...importedThrough.keys()];
  while (pending.length > 0) {
    const module = pending.pop() as ts.Symbol;
    const names = importedThrough.get(module) ?? new Set<ts.Symbol>();
    for (const source of reExports.get(module) ?? []) {
      const passed = exportsOf(source).filter((symbol) => names.has(symbol));
      const before = importedThrough.get(source)?.size ?? 0;
      note(source, passed);
      if ((importedThrough.get(source)?.size ?? 0) > before) pending.push(source);
    }
  }

  const unused: UnusedExport[] = [];
  for (const file of ours) {
    const module = checker.getSymbolAtLocation(file);
    if (!module) continue;
    const path = relative(root, file.fileName);
    const at = (node: ts.Node): number =>
      file.getLineAndCharacterOfPosition(node.getStart()).line + 1;

    // Declarations exported here: some file must import them, by whatever path.
    for (const exported of checker.getExportsOfModule(module)) {
      const target = original(exported);
      const declaration = target.declarations?.[0];
      if (!declaration || declaration.getSourceFile() !== file) continue;
      const id = `${path}: ${exported.name}`;
      if (!allImported.has(target) && !CONVENTIONAL.has(id)) {
        unused.push({ id, line: at(declaration) });
      }
    }

    // Re-exports here: some file must import a name through this module that they bring in.
    const throughHere = importedThrough.get(module) ?? new Set<ts.Symbol>();
    for (const statement of file.statements) {
      if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier) continue;
      const source = checker.getSymbolAtLocation(statement.moduleSpecifier);
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          const symbol = checker.getSymbolAtLocation(element.name);
          if (symbol && !throughHere.has(original(symbol))) {
            unused.push({ id: `${path}: ${element.name.text} (re-export)`, line: at(element) });
          }
        }
      } else if (source && !exportsOf(source).some((symbol) => throughHere.has(symbol))) {
        unused.push({ id: `${path}: ${statement.getText()}`, line: at(statement) });
      }
    }
  }
  return unused.sort((a, b) => a.id.localeCompare(b.id));
}
