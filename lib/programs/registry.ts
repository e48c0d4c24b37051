import { lemtrada } from "./lemtrada";
import type { TProgramDefinition } from "./schema";

/*
 * Every programme the registry runs. Adding one = writing its definition and
 * listing it here; nothing else in the engine names a programme.
 */
const DEFINITIONS: readonly TProgramDefinition[] = [lemtrada];

function indexDefinitions(definitions: readonly TProgramDefinition[]) {
  const byCode = new Map<string, TProgramDefinition>();
  const byNdc = new Map<string, TProgramDefinition>();
  for (const definition of definitions) {
    if (byCode.has(definition.code)) {
      throw new Error(`Two programme definitions use the code ${definition.code}`);
    }
    byCode.set(definition.code, definition);
    for (const ndc of definition.ndcs) {
      const owner = byNdc.get(ndc);
      // The dispensing gate finds the programme from the NDC, so an NDC must belong to one programme.
      if (owner) throw new Error(`NDC ${ndc} is in both ${owner.code} and ${definition.code}`);
      byNdc.set(ndc, definition);
    }
  }
  return { byCode, byNdc };
}

/** Builds lookups over a set of definitions; exported so tests can check the invariants. */
export function createProgramRegistry(definitions: readonly TProgramDefinition[]) {
  const { byCode, byNdc } = indexDefinitions(definitions);
  return {
    get: (code: string): TProgramDefinition | undefined => byCode.get(code),
    getByNdc: (ndc: string): TProgramDefinition | undefined => byNdc.get(ndc),
    list: (): readonly TProgramDefinition[] => [...byCode.values()],
  };
}

const registry = createProgramRegistry(DEFINITIONS);

/** The definition for a programme code (exact, upper case), or undefined for PROGRAM_UNKNOWN. */
export function getProgramDefinition(code: string): TProgramDefinition | undefined {
  return registry.get(code);
}

/** The programme an NDC (5-4-2 with dashes) belongs to, or undefined for NDC_NOT_IN_PROGRAM. */
export function getProgramDefinitionByNdc(ndc: string): TProgramDefinition | undefined {
  return registry.getByNdc(ndc);
}

/** All programme definitions, in registration order. */
export function listProgramDefinitions(): readonly TProgramDefinition[] {
  return registry.list();
}
