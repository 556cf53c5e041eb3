import { DEFAULT_DATABASE_URL } from "../client";
import { ensureDatabase, runMigrations } from "../migrate";

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const created = await ensureDatabase(url);
if (created) console.log(`created database ${new URL(url).pathname.slice(1)}`);
await runMigrations(url);
console.log("migrations applied");
