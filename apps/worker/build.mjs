// Bundles the worker into dist/index.js. Workspace packages (@alfred/*) ship TypeScript source, so
// they are bundled; the worker's own npm dependencies stay external and load from node_modules.
// Anything else (dependencies of workspace packages, e.g. drizzle-orm and pg) is bundled too:
// pnpm does not link those where dist/ could resolve them.
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL(".", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));
const ownDependencies = new Set(Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith("@alfred/")));
// Optional native add-ons some bundled packages probe for (pg -> pg-native); never installed here.
const optionalNative = new Set(["pg-native"]);
const builtins = new Set(builtinModules);
// Native add-ons cannot be bundled (they locate their binary through __dirname at run time); the
// worker has no business with them, so reaching one is a wrong import and fails the build.
const forbiddenNative = new Set(["argon2"]);

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name" */
const packageName = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** @type {import("esbuild").Plugin} */
const externals = {
  name: "worker-externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      if (args.path.startsWith("node:") || builtins.has(name)) return { path: args.path, external: true };
      if (ownDependencies.has(name) || optionalNative.has(name)) return { path: args.path, external: true };
      if (forbiddenNative.has(name)) return { errors: [{ text: `${name} is a native add-on and must not reach the worker bundle (imported from ${args.importer})` }] };
      return undefined;
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "info",
  plugins: [externals],
  // Bundled CommonJS (pg, drizzle's node-postgres driver) calls require() for Node built-ins.
  banner: { js: 'import { createRequire as __alfredCreateRequire } from "node:module"; const require = __alfredCreateRequire(import.meta.url);' },
});
