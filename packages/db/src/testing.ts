import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type DbHandle } from "./client";
import { runMigrations } from "./migrate";

/** Server used by integration tests; databases created here are named alfred_test_*. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const TEMPLATE = "alfred_test_template";

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

/** Rebuilds the migrated template database, and drops test databases left by crashed runs. */
export async function prepareTemplateDatabase(): Promise<void> {
  await withAdmin(async (admin) => {
    const stale = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'alfred\\_test\\_%' and datname <> $1",
      [TEMPLATE],
    );
    for (const { datname } of stale.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.query(`drop database if exists "${TEMPLATE}" with (force)`);
    await admin.query(`create database "${TEMPLATE}"`);
  });
  await runMigrations(urlFor(TEMPLATE));
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
  await withAdmin((admin) => admin.query(`create database "${name}" template "${TEMPLATE}"`));
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
