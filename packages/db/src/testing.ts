import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type DbHandle } from "./client";
import { runMigrations } from "./migrate";

/** Server used by integration tests; databases created here are named alfred_test_*. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/**
 * Each test run migrates its own template (named in ALFRED_TEST_TEMPLATE by the global setup and
 * inherited by the test workers), so concurrent runs on one machine never touch each other's
 * databases.
 */
function templateName(): string {
  const name = process.env.ALFRED_TEST_TEMPLATE;
  if (!name) throw new Error("ALFRED_TEST_TEMPLATE is not set: run integration tests through vitest's integration project");
  return name;
}

function urlFor(name: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates and migrates this run's template. Leftovers of crashed runs are dropped only under CI,
 * where no other run can be using them.
 */
export async function prepareTemplateDatabase(): Promise<string> {
  const template = `alfred_test_template_${randomBytes(4).toString("hex")}`;
  await withAdmin(async (admin) => {
    if (process.env.CI === "true") {
      const stale = await admin.query<{ datname: string }>("select datname from pg_database where starts_with(datname, 'alfred_test_')");
      for (const { datname } of stale.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.query(`create database "${template}"`);
  });
  await runMigrations(urlFor(template));
  return template;
}

export async function dropTemplateDatabase(template: string): Promise<void> {
  await withAdmin((admin) => admin.query(`drop database if exists "${template}" with (force)`));
}

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  destroy(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `alfred_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) => admin.query(`create database "${name}" template "${templateName()}"`));
  const url = urlFor(name);
  const handle = createDb(url, { max: 20, applicationName: "alfred-test" });
  return {
    ...handle,
    url,
    name,
    async destroy() {
      await handle.close();
      await withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
