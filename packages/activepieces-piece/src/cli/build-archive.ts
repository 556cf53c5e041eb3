import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface PieceArchive {
  /** The folder that was packed: package.json and src/index.js. */
  packageDir: string;
  /** The .tgz to upload to Activepieces. */
  archive: string;
  name: string;
  version: string;
}

/**
 * Builds the private piece archive Activepieces installs: one CommonJS bundle with the pieces
 * framework, pieces-common, axios and Alfred's own signing and event catalog inlined, and a
 * package.json with no dependencies, so installing it fetches nothing (as Activepieces' own
 * published pieces are shaped). Names are kept: Activepieces finds the export whose constructor
 * is named `Piece`.
 */
export async function buildPieceArchive(outDir = join(packageRoot, "dist")): Promise<PieceArchive> {
  const { name, version } = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { name: string; version: string };
  const packageDir = join(outDir, "package");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(packageDir, { recursive: true });

  await build({
    entryPoints: [join(packageRoot, "src/index.ts")],
    outfile: join(packageDir, "src/index.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node18",
    keepNames: true,
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const manifest = { name, version, description: "Alfred piece for Activepieces", main: "./src/index.js", license: "UNLICENSED", dependencies: {} };
  writeFileSync(join(packageDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

  const packed = execFileSync("npm", ["pack", "--json", "--pack-destination", outDir], { cwd: packageDir, encoding: "utf8" });
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
  return { packageDir, archive: join(outDir, filename), name, version };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const built = await buildPieceArchive(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`${built.archive}\npackage name ${built.name}, version ${built.version}`);
}
