import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The operator console: a static single-page app the API server serves at /console (src/http/browserPages.ts).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  plugins: [react()],
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // No inline script in index.html: the console's CSP allows only same-origin script files.
    modulePreload: { polyfill: false },
  },
});
