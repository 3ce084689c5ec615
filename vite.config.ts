import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// Only in the build: the dev server's React refresh preamble is an inline script this would block.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'orgdesk-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

// The console is served from `dist/renderer` by the Orgdesk server (at `/`) and loaded from disk
// by Electron (file://), so every asset URL is relative: base './'.
export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // renderer/ imports from shared/ beside it.
    fs: { allow: [here('.')] },
  },
});
