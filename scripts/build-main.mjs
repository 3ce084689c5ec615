// Bundles the Electron main process and the export worker (esbuild). Electron and better-sqlite3
// stay external: Electron provides the one, and the other is a native module rebuilt for
// Electron at packaging time (and unpacked from app.asar). Everything else is bundled, so the
// packaged app does not need node_modules beyond those.
import { build } from 'esbuild';
import { join } from 'node:path';

// `--outdir <dir>`: the tests build into a temp directory.
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist/main/electron';

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  external: ['electron', 'better-sqlite3'],
  // Bundled CommonJS dependencies may require() Node built-ins; give ESM output a require.
  banner: {
    js: "import { createRequire as __orgdeskCreateRequire } from 'node:module'; const require = __orgdeskCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await Promise.all([
  build({ ...shared, entryPoints: ['main/electron/main.ts'], outfile: join(outdir, 'main.js') }),
  // .mjs: the worker is unpacked beside app.asar, where no package.json says "type": "module".
  build({
    ...shared,
    entryPoints: ['main/desktop/export/export-worker.ts'],
    outfile: join(outdir, 'export-worker.mjs'),
  }),
  // The heavy reads' worker (audit verification and exports, GDPR exports): main/workers/.
  build({
    ...shared,
    entryPoints: ['main/workers/read-worker.ts'],
    outfile: join(outdir, 'read-worker.mjs'),
  }),
]);
console.log(
  `built ${join(outdir, 'main.js')}, ${join(outdir, 'export-worker.mjs')} and ${join(outdir, 'read-worker.mjs')}`,
);
