import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type Rollup } from 'vite';
import { INDEX_HTML_CSP } from './shared/csp';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// The policy of the built index.html (shared/csp.ts): what both the server and the desktop need;
// each of their headers narrows it further. Only in the build: the dev server's React refresh
// preamble is an inline script this would block.
function contentSecurityPolicy(): Plugin {
  return {
    name: 'orgdesk-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: INDEX_HTML_CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

// Console load: index.html asks for the console proper (app-main, loaded by the small entry once
// the first calls are out: renderer/main.tsx) beside the entry, not after it, so its download
// overlaps the entry's run and the calls' round trip.
function preloadConsole(): Plugin {
  return {
    name: 'orgdesk-preload-console',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (_html, ctx) => {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (c) => c.type === 'chunk' && c.name === 'app-main',
        );
        if (!chunk || chunk.type !== 'chunk') return [];
        // Its styles too (the table kit's, the org badge's): left to the dynamic import, they
        // were asked for only once the entry had run, and app-main waited for them.
        const css = [...(chunk.viteMetadata?.importedCss ?? [])].map((file) => ({
          tag: 'link',
          attrs: { rel: 'stylesheet', crossorigin: true, href: `/${file}` },
          injectTo: 'head' as const,
        }));
        return [
          ...css,
          ...[chunk.fileName, ...chunk.imports].map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
            injectTo: 'head' as const,
          })),
        ];
      },
    },
  };
}

// Console load: the first screen's code is compiled on a background thread while it streams in,
// not function by function on the main thread as each is first called (V8's explicit compile
// hint, Chromium 136+; older engines read a comment). Profiled, lazy compilation was the main
// thread's largest single cost of a load: no code cache helps a browser's first visit, a private
// window or the benchmark's fresh context. Only the chunks of the first screen carry the hint
// (the entry, app-main and what they import, and the default view, All organizations, with its
// imports): every function of a hinted file is compiled, called or not, so later views stay lazy.
const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
const FIRST_VIEW = here('./renderer/features/organizations/organizations-view.tsx');

function compileHints(): Plugin {
  return {
    name: 'orgdesk-compile-hints',
    apply: 'build',
    enforce: 'post',
    // Last: Vite's preload helper puts its own first line in (__vite__mapDeps) in this hook too.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const chunks = new Map(
          Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c]] : [])),
        );
        const hinted = new Set<string>();
        const visit = (fileName: string) => {
          const chunk = chunks.get(fileName);
          if (!chunk || hinted.has(fileName)) return;
          hinted.add(fileName);
          chunk.imports.forEach(visit);
        };
        for (const chunk of chunks.values()) {
          if (chunk.isEntry || chunk.name === 'app-main' || chunk.facadeModuleId === FIRST_VIEW)
            visit(chunk.fileName);
        }
        for (const fileName of hinted) {
          const chunk = chunks.get(fileName)!;
          // The comment must be the file's first line; the map moves down with the code.
          chunk.code = COMPILE_HINT + chunk.code;
          if (chunk.map) chunk.map.mappings = `;${chunk.map.mappings}`;
          // The map file is already in the bundle (written from chunk.map before this hook).
          const asset = bundle[`${fileName}.map`];
          if (asset?.type === 'asset' && typeof asset.source === 'string') {
            const map = JSON.parse(asset.source) as { mappings: string };
            asset.source = JSON.stringify({ ...map, mappings: `;${map.mappings}` });
          }
        }
      },
    },
  };
}

// Console load: the console proper is one file. Left to itself the bundler splits every module
// app-main shares with a view into a chunk of its own (dialog, field, the query core: 17 files,
// several under 1 kB), and each is a request, a cache lookup, a module record and a streaming
// compile for the browser on every load. Every module app-main imports statically goes into
// app-main (views then import it from there: it is loaded before any view anyway), and so does
// the default view, All organizations, with what it imports (the table kit, its dialogs: 8 files
// the entry asked for only once it had run, each then a round trip to the browser's cache on a
// busy machine); what the entry imports itself stays in the entry (app-main imports it from
// there). A window opened on another view compiles the organizations view too (11 kB; the
// table kit it shares with most views).
const ENTRY = here('./renderer/main.tsx');
const APP_MAIN = here('./renderer/app-main.tsx');

function consoleChunk(): Rollup.GetManualChunk {
  let inEntry: Set<string> | null = null;
  let inApp: Set<string> | null = null;
  const closure = (from: string, get: Rollup.GetModuleInfo, stop: Set<string>) => {
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id) || stop.has(id)) return;
      seen.add(id);
      get(id)?.importedIds.forEach(visit);
    };
    visit(from);
    return seen;
  };
  return (id, { getModuleInfo }) => {
    inEntry ??= closure(ENTRY, getModuleInfo, new Set());
    inApp ??= new Set([
      ...closure(APP_MAIN, getModuleInfo, inEntry),
      ...closure(FIRST_VIEW, getModuleInfo, inEntry),
    ]);
    // The entry's modules are named too: the bundler moves a manual chunk's unnamed imports into
    // it. So is Vite's modulepreload polyfill, which index.html imports beside the entry.
    if (inEntry.has(id) || id.includes('vite/modulepreload-polyfill')) return 'index';
    return inApp.has(id) ? 'app-main' : undefined;
  };
}

// The console is served from `dist/renderer` by the Orgdesk server (at `/`) and by the desktop's
// app protocol (orgdesk-app://app/), both from the root of their origin, so asset URLs are
// absolute: base '/'. Relative ones would break every deep URL (UI-10): a reload of
// /org/12/hosts would ask for /org/12/assets/….
export default defineConfig({
  root: here('./renderer'),
  base: '/',
  plugins: [react(), contentSecurityPolicy(), preloadConsole(), compileHints()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    // Hidden: the maps are written (to read a stack trace from a report) but no bundle names
    // them, so no browser fetches them; the server refuses *.map anyway and packaging leaves
    // them out (electron-builder.yml). The benchmark does not read them; the end-to-end tests
    // read them from disk only to check that the compile hint's line kept them aligned.
    sourcemap: 'hidden',
    target: 'es2022',
    rollupOptions: { output: { manualChunks: consoleChunk() } },
  },
  server: {
    // renderer/ imports from shared/ beside it.
    fs: { allow: [here('.')] },
  },
});
