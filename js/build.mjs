// Bundles each widget's entry module (js/<widget>.js) with the shared code in
// js/lib/ into one ES module per widget under src/nblabel/static/.
// anywidget loads `_esm` from a Blob URL, so a widget cannot import its
// neighbours at run time: everything it needs is joined here.

import { mkdirSync, readdirSync } from "node:fs";
import * as esbuild from "esbuild";

// Every js/<name>.js except this script is a widget entry.
const widgets = readdirSync("js")
  .filter((f) => f.endsWith(".js") && !f.startsWith("build"))
  .map((f) => f.slice(0, -3));
const watch = process.argv.includes("--watch");
mkdirSync("src/nblabel/static", { recursive: true });

const options = {
  // A widget's CSS (js/nblabel.css and its own, imported from its entry) lands in <widget>.css.
  entryPoints: widgets.map((w) => `js/${w}.js`),
  outdir: "src/nblabel/static",
  bundle: true,
  format: /** @type {const} */ ("esm"),
  target: "es2020",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  logLevel: /** @type {const} */ ("info"),
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
