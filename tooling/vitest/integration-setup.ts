import { prepareTemplateDatabase } from "../../packages/db/src/testing";

/** Migrates the template database once per run; each test file clones it (milliseconds). */
export default async function setup() {
  await prepareTemplateDatabase();
}
