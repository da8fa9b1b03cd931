// Builds static/dist from npm packages and frontend/src: the app never loads anything from a CDN.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "static/dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

cpSync("node_modules/bootstrap/dist/css/bootstrap.min.css", `${out}/bootstrap.min.css`);
const swagger = ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"];
for (const file of swagger) cpSync(`node_modules/swagger-ui-dist/${file}`, `${out}/swagger-ui/${file}`);

await build({
  entryPoints: ["frontend/src/app.js", "frontend/src/session.js"],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  outdir: out,
  logLevel: "info",
});
