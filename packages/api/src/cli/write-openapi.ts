import { writeFileSync } from "node:fs";
import { openApiDocument } from "../rest/openapi";

/** `pnpm --filter @alfred/api openapi:write <file>`: the document /api/v1/openapi.json serves, for linters. */
const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: openapi:write <file.json>");
  process.exit(2);
}
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
