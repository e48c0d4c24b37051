/**
 * `npm run admin:create -- --email you@example.org --name "Your Name"`: creates a REMS
 * administrator. The password is read from ADMIN_PASSWORD or asked for on the terminal.
 * Administrators are never self-registered.
 */
import "dotenv/config";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { newRequestId, createAdministrator } from "../lib/auth/service";
import { disconnectDb } from "../lib/db";
import { isAppError } from "../lib/errors";

async function main() {
  const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } } });
  if (!values.email || !values.name) {
    console.error(
      'Usage: npm run admin:create -- --email admin@example.org --name "Full Name"   (password from ADMIN_PASSWORD or prompt)',
    );
    process.exit(2);
  }
  let password = process.env.ADMIN_PASSWORD;
  if (!password) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    password = await rl.question("Password (at least 12 characters): ");
    rl.close();
  }
  try {
    const user = await createAdministrator({ email: values.email, name: values.name, password }, newRequestId());
    console.log(`Created administrator ${user.email}.`);
  } catch (error) {
    if (isAppError(error)) {
      console.error(error.message);
      for (const [field, messages] of Object.entries(error.details?.fields ?? {}))
        console.error(`  ${field}: ${messages.join("; ")}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  } finally {
    await disconnectDb();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
