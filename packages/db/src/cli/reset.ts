import pg from "pg";
import { ensureDatabase, runMigrations } from "../migrate";

/**
 * Drops, recreates and migrates a throw-away database (end-to-end runs). Refuses any database whose
 * name does not start with alfred_e2e or alfred_test, so it can never wipe real data.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error("db:reset needs DATABASE_URL");
const name = decodeURIComponent(new URL(url).pathname.slice(1));
if (!/^alfred_(e2e|test)\w*$/.test(name)) {
  console.error(`db:reset refuses to drop "${name}": only alfred_e2e* and alfred_test* databases may be reset`);
  process.exit(1);
}
const admin = new URL(url);
admin.pathname = "/postgres";
const client = new pg.Client({ connectionString: admin.toString() });
await client.connect();
await client.query(`drop database if exists "${name}" with (force)`);
await client.end();
await ensureDatabase(url);
await runMigrations(url);
console.log(`database ${name} reset and migrated`);
