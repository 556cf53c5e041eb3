import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./processes";

/**
 * A throw-away Postgres cluster of the drill's own (initdb into a temp directory, its own port,
 * trust auth for the postgres user), so the drill may stop and start it; the shared server on 5432
 * is never touched. Uses Debian's binaries under /usr/lib/postgresql/<version>/bin. Postgres refuses
 * to run as root: as root, the cluster belongs to and runs as the `postgres` user.
 */
function asPostgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const [uid, gid] = [id("-u"), id("-g")];
  if (uid.status !== 0) throw new Error("running as root and there is no postgres user to run the drill's Postgres cluster as");
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export class DrillPostgres {
  private constructor(
    readonly bin: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<DrillPostgres> {
    const base = "/usr/lib/postgresql";
    let versions: string[] = [];
    try {
      versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    } catch {
      // not Debian's layout
    }
    if (!versions.length) throw new Error(`no Postgres server binaries under ${base}/<version>/bin; the Postgres drill needs initdb and pg_ctl (apt-get install postgresql)`);
    const bin = path.join(base, versions[0]!, "bin");
    const dataDir = mkdtempSync(path.join(tmpdir(), "alfred-drill-pg-"));
    const owner = asPostgresUser();
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    const pg = new DrillPostgres(bin, dataDir, await freePort());
    pg.run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
    pg.start();
    return pg;
  }

  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private run(tool: string, args: string[]): void {
    const [command, argv] = asPostgresUser() ? ["runuser", ["-u", "postgres", "--", path.join(this.bin, tool), ...args]] : [path.join(this.bin, tool), args];
    const result = spawnSync(command, argv, { encoding: "utf8", timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    this.run("pg_ctl", ["-D", this.dataDir, "-o", options, "-l", path.join(this.dataDir, "server.log"), "-w", "-t", "60", "start"]);
  }

  /** `fast`: connections are cut and open transactions rolled back, as in a restart or failover. */
  stop(mode: "fast" | "immediate" = "fast"): void {
    this.run("pg_ctl", ["-D", this.dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
  }

  destroy(): void {
    try {
      this.stop("immediate");
    } catch {
      // already down
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
