// `npm install` runs this (postinstall): it builds the operator console into console/dist with Vite.
// Vite and React are dev dependencies: a production install (--omit=dev) skips the build with a note,
// and the server then answers /console with 503 "not built" until console/dist is shipped or built.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const outDir = process.argv[2] === undefined ? undefined : path.resolve(process.argv[2]);

try {
  require.resolve("vite");
  require.resolve("react");
} catch {
  process.stdout.write(
    "console: not built (its build tools are dev dependencies); /console answers 503 until you run " +
      "`npm run build:console` where dev dependencies are installed and ship console/dist.\n",
  );
  process.exit(0);
}

const { build } = await import("vite");
const started = performance.now();
await build({
  configFile: path.join(import.meta.dirname, "vite.config.ts"),
  ...(outDir === undefined ? {} : { build: { outDir } }),
});
process.stdout.write(
  `console: built into ${outDir ?? "console/dist"} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
