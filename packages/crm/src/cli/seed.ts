import { EnvKeyRing } from "@alfred/core";
import { createDb, DEFAULT_DATABASE_URL } from "@alfred/db/client";
import { DEMO_PASSWORDS, DEMO_USERS, seedDemoTenant } from "../seed";

const keyRing = process.env.AUTOMATION_ENCRYPTION_KEYS;
if (!keyRing) {
  console.error("db:seed: AUTOMATION_ENCRYPTION_KEYS is not set (npm start generates one into .alfred/local.env)");
  process.exit(1);
}
const handle = createDb(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, { max: 2, applicationName: "alfred-seed" });
try {
  const created = await seedDemoTenant(handle.db, new EnvKeyRing(keyRing));
  console.log(created ? "Seeded the demo tenant \"Demo Company\"." : "The database already has tenants; the demo seed was skipped.");
  console.log("Demo logins (password after the e-mail):");
  for (const user of DEMO_USERS) console.log(`  ${user.role.padEnd(8)} ${user.email}  ${DEMO_PASSWORDS[user.role]}`);
} finally {
  await handle.close();
}
