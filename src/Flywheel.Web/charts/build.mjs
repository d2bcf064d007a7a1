// Bundles entry.js (ECharts, tree-shaken) into one minified ES module the console imports as /console/vendor/echarts.js.
// Usage: node build.mjs OUTPUT_FILE. Run by Flywheel.Web.csproj whenever package-lock.json, entry.js or this file changes.
import { build } from 'esbuild';

const output = process.argv[2];
if (!output) {
  console.error('usage: node build.mjs OUTPUT_FILE');
  process.exit(2);
}
await build({
  entryPoints: [new URL('./entry.js', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  legalComments: 'eof',
  outfile: output,
  logLevel: 'warning',
});
