/**
 * Finds the server actions in the source: exported async functions of "use server" modules and
 * functions with their own "use server" directive. Shared by the boundary test
 * (lib/http/server-actions.test.ts) and the action authorization table
 * (tests/integration/action-authorization.test.ts), so neither can miss an action the other sees.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export const ROOT = path.resolve(__dirname, "../..");
export const SCANNED = ["app", "lib", "components"];
const SKIPPED = new Set(["node_modules", "generated", ".next"]);

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

export type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction;

export interface Action {
  name: string;
  fn: FunctionLike;
}

export function hasDirective(statements: readonly ts.Statement[] | ts.NodeArray<ts.Statement>): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (statement.expression.text === "use server") return true;
  }
  return false;
}

function isExported(node: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
}

function isAsync(fn: FunctionLike): boolean {
  return (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
}

/** Exported async functions of a "use server" module, and any function with its own "use server". */
export function findActions(file: ts.SourceFile): Action[] {
  const actions: Action[] = [];
  const moduleLevel = hasDirective(file.statements);
  if (moduleLevel) {
    for (const statement of file.statements) {
      if (ts.isFunctionDeclaration(statement) && isExported(statement) && statement.name && isAsync(statement)) {
        actions.push({ name: statement.name.text, fn: statement });
      }
      if (ts.isVariableStatement(statement) && isExported(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const init = declaration.initializer;
          if (
            init &&
            (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) &&
            ts.isIdentifier(declaration.name)
          ) {
            actions.push({ name: declaration.name.text, fn: init });
          }
        }
      }
    }
  }
  const visit = (node: ts.Node) => {
    if (
      (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) &&
      node.body &&
      ts.isBlock(node.body) &&
      hasDirective(node.body.statements)
    ) {
      const name = ts.isFunctionDeclaration(node) && node.name ? node.name.text : "(inline action)";
      if (!actions.some((a) => a.fn === node)) actions.push({ name, fn: node });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return actions;
}

/** Every "use server" file under the scanned folders. */
export function serverActionFiles(): string[] {
  return SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).filter((f) =>
    readFileSync(f, "utf8").includes("use server"),
  );
}

/** The name of every server action in the source. */
export function serverActionNames(): string[] {
  return serverActionFiles().flatMap((f) => {
    const file = ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    return findActions(file).map((a) => a.name);
  });
}
