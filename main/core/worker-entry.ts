// Where a worker thread's script is: in the built app, the bundled `<name>.mjs` beside the
// bundled main; from source (tsx, Vitest: the caller is a .ts file), the .ts module loaded
// through tsx, which a worker thread must register for itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A script file, or (eval) code that boots one. */
export type WorkerEntry = { file: URL } | { evalCode: string };

/** tsx's ESM registration API, located through tsx's own exports map (dev and tests only). */
function tsxApiUrl(from: string): string {
  const require = createRequire(from);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

/**
 * @param sourceUrl the worker module's URL from source (`new URL('./x-worker.ts', import.meta.url)`)
 * @param bundledName the bundled file's name beside the bundled caller (`x-worker.mjs`)
 * @param callerUrl the caller's `import.meta.url`
 */
export function workerEntry(sourceUrl: URL, bundledName: string, callerUrl: string): WorkerEntry {
  if (!callerUrl.endsWith('.ts')) return { file: new URL(`./${bundledName}`, callerUrl) };
  const api = tsxApiUrl(callerUrl);
  return {
    evalCode:
      `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(sourceUrl.href)}); })` +
      `.catch((err) => { console.error(err); process.exit(70); });`,
  };
}
