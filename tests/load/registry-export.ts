/**
 * `npx tsx tests/load/registry-export.ts <folder> [--patients 50000] [--clean]`: writes a generated
 * registry export (tests/factories/registry-export.ts) to load with `npm run import:registry`,
 * with the dirty rows unless --clean, and prints the reconciliation the import must report.
 */
import { parseArgs } from "node:util";
import { REGISTRY_ENTITIES } from "../../lib/migration/schema";
import { generateRegistryExport, writeRegistryExport } from "../factories/registry-export";

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { patients: { type: "string", default: "50000" }, clean: { type: "boolean", default: false } },
  });
  const folder = positionals[0];
  if (!folder) {
    console.error("Usage: npx tsx tests/load/registry-export.ts <folder> [--patients 50000] [--clean]");
    process.exit(2);
  }
  const generated = generateRegistryExport({ patients: Number(values.patients), dirty: !values.clean });
  await writeRegistryExport(folder, generated);
  console.log(`Wrote ${folder}. Expected on a first import into a registry that has none of these records:`);
  for (const entity of REGISTRY_ENTITIES) {
    const rejected = generated.rejections.filter((r) => r.entity === entity).length;
    console.log(
      `  ${entity}: read ${generated.lines[entity].length}, written ${generated.valid[entity]}, rejected ${rejected}`,
    );
  }
}

void main();
