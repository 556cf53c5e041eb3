// Makes sure PostgreSQL and Redis answer at the configured addresses. When one does not and its
// server is installed, it is started: Debian's own cluster if there is one, else a project-local
// data folder under .alfred/. When it is not installed, one clear line says what to do.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { commandExists, fail, LOCAL_DIR, log, reachable } from "./lib.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(host, port, what, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port, 500)) return;
    await sleep(250);
  }
  fail(`${what} was started but does not answer on ${host}:${port}`);
}

const isRoot = process.getuid?.() === 0;
const asPostgres = (args) => (isRoot ? ["runuser", ["-u", "postgres", "--", ...args]] : [args[0], args.slice(1)]);

function sh(cmd, args) {
  return spawnSync(cmd, args, { stdio: "inherit" }).status === 0;
}

async function ensurePostgres(url) {
  const { hostname, port } = new URL(url);
  const pgPort = port || "5432";
  if (await reachable(hostname, pgPort)) return;
  const local = ["127.0.0.1", "localhost", "::1"].includes(hostname);
  if (!local) fail(`PostgreSQL is not reachable at ${hostname}:${pgPort}; start it or set DATABASE_URL`);

  // Debian's cluster (what this kind of machine runs), started the way the machine starts it.
  const clusters = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql") : [];
  if (clusters.length && commandExists("pg_ctlcluster")) {
    log(`starting PostgreSQL cluster ${clusters[0]}/main`);
    sh("pg_ctlcluster", ["--skip-systemctl-redirect", clusters[0], "main", "start"]);
    return waitFor(hostname, pgPort, "PostgreSQL");
  }

  const binDir = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/initdb`)) : undefined;
  if (!binDir) fail(`PostgreSQL is not reachable at ${hostname}:${pgPort} and not installed: apt-get install -y postgresql, or set DATABASE_URL`);
  const dataDir = path.join(LOCAL_DIR, "pgdata");
  mkdirSync(LOCAL_DIR, { recursive: true });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`initialising a project-local PostgreSQL in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true });
    if (isRoot) sh("chown", ["-R", "postgres:postgres", dataDir]);
    const [cmd, args] = asPostgres([`${binDir}/initdb`, "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
    if (!sh(cmd, args)) fail("initdb failed");
  }
  const [cmd, args] = asPostgres([`${binDir}/pg_ctl`, "-D", dataDir, "-l", path.join(dataDir, "server.log"), "-o", `-p ${pgPort} -c listen_addresses=127.0.0.1 -k ${dataDir}`, "start"]);
  log("starting project-local PostgreSQL");
  if (!sh(cmd, args)) fail("pg_ctl start failed");
  return waitFor(hostname, pgPort, "PostgreSQL");
}

async function ensureRedis(url) {
  const { hostname, port } = new URL(url);
  const redisPort = port || "6379";
  if (await reachable(hostname, redisPort)) return;
  if (!["127.0.0.1", "localhost", "::1"].includes(hostname)) fail(`Redis is not reachable at ${hostname}:${redisPort}; start it or set REDIS_URL`);
  if (!commandExists("redis-server")) fail(`Redis is not reachable at ${hostname}:${redisPort} and not installed: apt-get install -y redis-server, or set REDIS_URL`);
  const dir = path.join(LOCAL_DIR, "redis");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, ".keep"), "");
  log("starting Redis");
  sh("redis-server", ["--daemonize", "yes", "--bind", "127.0.0.1", "--port", redisPort, "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", path.join(dir, "redis.log")]);
  return waitFor(hostname, redisPort, "Redis");
}

export async function ensureServices(env) {
  await ensurePostgres(env.DATABASE_URL);
  await ensureRedis(env.REDIS_URL);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadLocalEnv } = await import("./lib.mjs");
  const env = process.argv.includes("--defaults") ? { DATABASE_URL: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/alfred", REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" } : loadLocalEnv();
  await ensureServices(env);
  log("PostgreSQL and Redis are up");
}
