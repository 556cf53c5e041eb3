import { dropTemplateDatabase, prepareTemplateDatabase } from "../../packages/db/src/testing";

/** Migrates this run's template database once; each test file clones it (milliseconds). */
export default async function setup() {
  const template = await prepareTemplateDatabase();
  process.env.ALFRED_TEST_TEMPLATE = template;
  return async () => {
    await dropTemplateDatabase(template);
  };
}
