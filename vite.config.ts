import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
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
        return [chunk.fileName, ...chunk.imports].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

// The console is served from `dist/renderer` by the Orgdesk server (at `/`) and by the desktop's
// app protocol (orgdesk-app://app/), both from the root of their origin, so asset URLs are
// absolute: base '/'. Relative ones would break every deep URL (UI-10): a reload of
// /org/12/hosts would ask for /org/12/assets/….
export default defineConfig({
  root: here('./renderer'),
  base: '/',
  plugins: [react(), contentSecurityPolicy(), preloadConsole()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    // Hidden: the maps are written (to read a stack trace from a report) but no bundle names
    // them, so no browser fetches them; the server refuses *.map anyway and packaging leaves
    // them out (electron-builder.yml). Neither the end-to-end tests nor the benchmark read them.
    sourcemap: 'hidden',
    target: 'es2022',
  },
  server: {
    // renderer/ imports from shared/ beside it.
    fs: { allow: [here('.')] },
  },
});
