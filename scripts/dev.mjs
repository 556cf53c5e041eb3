// `pnpm dev`: web (next dev) and worker (tsx watch) with the same generated development secrets and
// defaults as `npm start`, after making sure Postgres and Redis answer and the schema is current.
import { spawn } from "node:child_process";
import { ensureServices } from "./services.mjs";
import { loadLocalEnv, ROOT, run } from "./lib.mjs";

const env = { ...process.env, ...loadLocalEnv(), NEXT_TELEMETRY_DISABLED: "1" };
await ensureServices(env);
run("pnpm", ["db:migrate"], { env });
run("pnpm", ["db:seed"], { env });
const child = spawn("pnpm", ["exec", "turbo", "run", "dev", "--filter=@alfred/web", "--filter=@alfred/worker"], { cwd: ROOT, stdio: "inherit", env });
child.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
