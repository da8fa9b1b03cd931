// Builds static/dist from npm packages and frontend/src: the app never loads anything from a CDN.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "static/dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// With their source maps: the production static storage follows each sourceMappingURL and refuses to
// collect a file whose map is missing.
for (const file of ["bootstrap.min.css", "bootstrap.min.css.map"]) {
  cpSync(`node_modules/bootstrap/dist/css/${file}`, `${out}/${file}`);
}
const swagger = ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"];
for (const file of swagger) {
  cpSync(`node_modules/swagger-ui-dist/${file}`, `${out}/swagger-ui/${file}`);
  if (!file.endsWith(".png")) cpSync(`node_modules/swagger-ui-dist/${file}.map`, `${out}/swagger-ui/${file}.map`);
}

// ES modules split into chunks: session.js imports the code editor (and each language) only when a
// session needs it. Chunk names carry a content hash, so browsers may cache them for good.
await build({
  entryPoints: ["frontend/src/app.js", "frontend/src/session.js"],
  bundle: true,
  splitting: true,
  format: "esm",
  chunkNames: "chunks/[name]-[hash]",
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  outdir: out,
  logLevel: "info",
});
