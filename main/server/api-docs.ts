// API-2: the OpenAPI document at GET /api/v1/openapi.json and the API reference at /api/docs,
// rendered by Swagger UI (swagger-ui-dist) served from node_modules by this server: no CDN, no
// inline script, under the console's CSP. Neither needs authentication: the document describes
// the API, it holds no data.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sendJson } from './http-io';
import { API_PREFIX } from './rest/projection';
import { buildOpenApiDocument } from './rest/openapi';
import type { RestApi } from './rest/rest-api';
import { CONSOLE_CSP } from './static';

export const OPENAPI_PATH = `${API_PREFIX}/openapi.json`;
export const DOCS_PATH = '/api/docs';

/** The version of the package this server runs from. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Orgdesk API reference</title>
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  </head>
  <body>
    <main id="swagger-ui"></main>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

// No validator badge (it would call an outside service) and no standalone top bar: the
// reference shows this server's document only.
const INIT_JS = `'use strict';
window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** The files of swagger-ui-dist served under /api/docs/. */
const DIST_FILES: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function distDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

function sendText(
  res: ServerResponse,
  head: boolean,
  status: number,
  type: string,
  body: string,
  cache = 'no-cache',
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', cache);
  res.end(head ? undefined : body);
}

export interface ApiDocs {
  /** Answers the request when it is for the document or the reference; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  /** The document, built on first use and kept for the life of the server. */
  document(): string;
}

export function createApiDocs(rest: RestApi, version: string = packageVersion()): ApiDocs {
  let cached: string | null = null;
  const document = () =>
    (cached ??= JSON.stringify(buildOpenApiDocument(rest.routes, rest.agents, { version })));
  let dist: string | null = null;

  return {
    document,
    handle(req, res, url) {
      const path = url.pathname;
      const isDocs = path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
      if (path !== OPENAPI_PATH && !isDocs) return false;
      const head = req.method === 'HEAD';
      if (req.method !== 'GET' && !head) {
        sendJson(
          res,
          405,
          {
            error: {
              code: 'METHOD_NOT_ALLOWED',
              message: `${path} does not take ${req.method}; it takes GET, HEAD`,
            },
          },
          { Allow: 'GET, HEAD' },
        );
        return true;
      }
      if (path === OPENAPI_PATH) {
        const body = document();
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Length', Buffer.byteLength(body));
        res.end(head ? undefined : body);
        return true;
      }
      res.setHeader('Content-Security-Policy', CONSOLE_CSP);
      const file = path.slice(DOCS_PATH.length + 1);
      if (file === '' || file === 'index.html') {
        sendText(res, head, 200, 'text/html; charset=utf-8', INDEX_HTML);
      } else if (file === 'init.js') {
        sendText(res, head, 200, 'text/javascript; charset=utf-8', INIT_JS);
      } else if (Object.hasOwn(DIST_FILES, file)) {
        const target = join((dist ??= distDir()), file);
        res.statusCode = 200;
        res.setHeader('Content-Type', DIST_FILES[file]!);
        res.setHeader('Content-Length', statSync(target).size);
        res.setHeader('Cache-Control', 'public, max-age=3600');
        if (head) res.end();
        else
          createReadStream(target)
            .on('error', () => res.destroy())
            .pipe(res);
      } else {
        sendText(res, head, 404, 'text/plain; charset=utf-8', 'Not found\n');
      }
      return true;
    },
  };
}
