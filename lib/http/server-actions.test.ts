import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type Action, findActions, ROOT, serverActionFiles } from "../../tests/setup/server-actions-scan";

/*
 * Every server action is a public POST endpoint, so each one runs the shared hostile-text check on
 * its arguments (checkActionInput, lib/http/action-result.ts) before anything else, where its catch
 * turns the refusal into the form's VALIDATION result. This reads every "use server" file and holds
 * each exported action to that, so a new action cannot forget the boundary.
 */

function descendants(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  const walk = (n: ts.Node) => {
    out.push(n);
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(node, walk);
  return out;
}

function isCheckCall(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "checkActionInput";
}

/** A same-file helper `helper(check, …)` whose try block starts by calling `check()`. */
function helperRunsCheckFirst(file: ts.SourceFile, helperName: string): boolean {
  const helper = file.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === helperName,
  );
  const first = helper?.parameters[0]?.name;
  if (!helper?.body || !first || !ts.isIdentifier(first)) return false;
  return descendants(helper.body).some((n) => {
    if (!ts.isTryStatement(n)) return false;
    const opening = n.tryBlock.statements[0];
    return (
      opening !== undefined &&
      ts.isExpressionStatement(opening) &&
      ts.isCallExpression(opening.expression) &&
      ts.isIdentifier(opening.expression.expression) &&
      opening.expression.expression.text === first.text
    );
  });
}

/** Why `action` does not guard its arguments, or null when it does. */
function problemWith(file: ts.SourceFile, action: Action): string | null {
  const { fn } = action;
  if (!fn.body) return "has no body";
  const names: string[] = [];
  for (const parameter of fn.parameters) {
    if (!ts.isIdentifier(parameter.name)) return "destructures a parameter; take it whole and check it";
    names.push(parameter.name.text);
  }
  if (names.length === 0) return null;
  const nodes = descendants(fn.body);
  // A leading underscore says the argument is never read (the form's previous state); hold it to that.
  for (const name of names.filter((n) => n.startsWith("_"))) {
    if (nodes.some((n) => ts.isIdentifier(n) && n.text === name)) return `reads ${name} but does not check it`;
  }
  const required = names.filter((n) => !n.startsWith("_"));
  const checks = nodes.filter(isCheckCall);
  if (checks.length === 0) return `never calls checkActionInput(${required.join(", ")})`;
  const checked = new Set(checks.flatMap((c) => c.arguments.filter(ts.isIdentifier).map((a) => a.text)));
  const missing = required.filter((n) => !checked.has(n));
  if (missing.length > 0) return `does not pass ${missing.join(", ")} to checkActionInput`;
  const firstCheck = Math.min(...checks.map((c) => c.getStart(file)));
  const firstAwait = nodes.find(ts.isAwaitExpression);
  if (firstAwait && firstAwait.getStart(file) < firstCheck) return "awaits something before checkActionInput";
  // The refusal must become the action's result, not an error thrown to the client.
  const guarded = checks.some((check) => {
    for (let n: ts.Node = check; n !== fn; n = n.parent) {
      if (ts.isTryStatement(n.parent) && n.parent.tryBlock === n) return true;
      if (
        ts.isArrowFunction(n) &&
        ts.isCallExpression(n.parent) &&
        n.parent.arguments[0] === n &&
        ts.isIdentifier(n.parent.expression) &&
        helperRunsCheckFirst(file, n.parent.expression.text)
      ) {
        return true;
      }
    }
    return false;
  });
  return guarded ? null : "calls checkActionInput outside a try block, so a refusal is thrown instead of returned";
}

function check(fileName: string, text: string): { actions: string[]; problems: string[] } {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const actions = findActions(file);
  const problems: string[] = [];
  for (const action of actions) {
    const problem = problemWith(file, action);
    if (problem) problems.push(`${path.relative(ROOT, fileName)}: ${action.name} ${problem}`);
  }
  return { actions: actions.map((a) => a.name), problems };
}

describe("every server action checks its arguments at the boundary", () => {
  const files = serverActionFiles();

  it("finds the server actions", () => {
    const names = files.flatMap((f) => check(f, readFileSync(f, "utf8")).actions);
    // Guards against the scan silently finding nothing.
    expect(names).toEqual(
      expect.arrayContaining([
        "recordLabResultAction",
        "enrollPatientAction",
        "setPatientStatusAction",
        "requestDispenseAction",
        "startDiscretionAction",
        "signUpAction",
        "decideApplicationAction",
      ]),
    );
  });

  it("calls checkActionInput with every argument it reads, first, inside its try", () => {
    const problems = files.flatMap((f) => check(f, readFileSync(f, "utf8")).problems);
    expect(problems).toEqual([]);
  });

  it("catches an action that forgets, checks late, skips an argument or lets the refusal throw", () => {
    const source = (body: string) => `"use server";\n${body}`;
    const problems = (body: string) => check("x.ts", source(body)).problems;
    expect(problems("export async function a(input: unknown) { try { await f(input); } catch {} }")).toEqual([
      "x.ts: a never calls checkActionInput(input)",
    ]);
    expect(
      problems("export async function a(input: unknown) { try { await g(); checkActionInput(input); } catch {} }"),
    ).toEqual(["x.ts: a awaits something before checkActionInput"]);
    expect(
      problems("export async function a(t: string, input: unknown) { try { checkActionInput(input); } catch {} }"),
    ).toEqual(["x.ts: a does not pass t to checkActionInput"]);
    expect(problems("export async function a(input: unknown) { checkActionInput(input); await f(); }")).toEqual([
      "x.ts: a calls checkActionInput outside a try block, so a refusal is thrown instead of returned",
    ]);
    expect(
      problems("export async function a(_p: unknown, d: FormData) { try { checkActionInput(d, _p.x); } catch {} }"),
    ).toEqual(["x.ts: a reads _p but does not check it"]);
    expect(problems("export async function a({ x }: { x: string }) { return x; }")).toEqual([
      "x.ts: a destructures a parameter; take it whole and check it",
    ]);
    expect(
      problems(`function inner() { return async (input: unknown) => { "use server"; await f(input); }; }`),
    ).toEqual(["x.ts: (inline action) never calls checkActionInput(input)"]);
    // The shapes the actions use pass: a check in the try, and a helper that runs the check first.
    expect(
      problems(
        "export async function a(_p: unknown, d: FormData) { try { checkActionInput(d); await f(d); } catch (e) { return e; } }",
      ),
    ).toEqual([]);
    expect(
      problems(`async function run(check: () => void, work: () => Promise<void>) { try { check(); await work(); } catch {} }
export async function a(input: unknown) { return run(() => checkActionInput(input), () => f(input)); }`),
    ).toEqual([]);
    expect(
      problems(`async function run(check: () => void, work: () => Promise<void>) { try { await work(); check(); } catch {} }
export async function a(input: unknown) { return run(() => checkActionInput(input), () => f(input)); }`),
    ).toEqual(["x.ts: a calls checkActionInput outside a try block, so a refusal is thrown instead of returned"]);
  });
});
