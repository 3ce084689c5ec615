// API-2: the API reference at /api/docs, Swagger UI served by the server itself from
// swagger-ui-dist. Over HTTP: the files, their types and the console's CSP. In Chromium (Debian's,
// headless): it renders every operation of the document with no console error (a CSP violation
// is one), no page error, and no request to anything but the server.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PATH } from '../../main/server/api-docs';
import { API_PREFIX } from '../../main/server/rest/projection';
import { CONSOLE_CSP } from '../../main/server/static';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../fixtures/chromium';
import { startServer, type TestServer } from '../fixtures/server';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  console.warn(
    `API reference check in Chromium skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
  );
}

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('the API reference over HTTP', () => {
  it('serves the page, its own init script and the Swagger UI files, under the console CSP', async () => {
    for (const path of [DOCS_PATH, `${DOCS_PATH}/`]) {
      const page = await s.request('GET', path, { token: null });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
      // No inline script, nothing from elsewhere: every src and href is the server's.
      const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBe(2);
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/\bsrc="/);
        expect(body!.trim()).toBe('');
      }
      for (const [, url] of page.text.matchAll(/(?:src|href)="([^"]+)"/g)) {
        expect(url).toMatch(new RegExp(`^${DOCS_PATH}/`));
      }
    }
    const files: [string, RegExp][] = [
      ['init.js', /^text\/javascript/],
      ['swagger-ui-bundle.js', /^text\/javascript/],
      ['swagger-ui.css', /^text\/css/],
      ['favicon-32x32.png', /^image\/png/],
    ];
    for (const [file, type] of files) {
      const res = await s.request('GET', `${DOCS_PATH}/${file}`, { token: null });
      expect(res.status, file).toBe(200);
      expect(res.headers['content-type'], file).toMatch(type);
      expect(res.headers['content-security-policy'], file).toBe(CONSOLE_CSP);
      expect(Number(res.headers['content-length']), file).toBeGreaterThan(0);
    }
    const init = await s.request('GET', `${DOCS_PATH}/init.js`, { token: null });
    expect(init.text).toContain(`${API_PREFIX}/openapi.json`);
    expect(init.text).toContain('validatorUrl: null');
  });

  it('serves nothing else of node_modules, and only GET or HEAD', async () => {
    for (const path of [
      `${DOCS_PATH}/package.json`,
      `${DOCS_PATH}/index.js`,
      `${DOCS_PATH}/swagger-ui-bundle.js.map`,
      `${DOCS_PATH}/swagger-ui-bundle.js/x`,
    ]) {
      const res = await s.request('GET', path, { token: null });
      expect(res.status, path).toBe(404);
    }
    // Dot segments are resolved before routing: they leave /api/docs, and reach no package file.
    for (const path of [
      `${DOCS_PATH}/../package.json`,
      `${DOCS_PATH}/%2e%2e/%2e%2e/package.json`,
    ]) {
      const res = await s.request('GET', path, { token: null });
      expect(res.text, path).not.toContain('swagger-ui-dist');
      expect(res.text, path).not.toContain('"dependencies"');
    }
    const post = await s.request('POST', DOCS_PATH, { token: null, body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.json.error.code).toBe('METHOD_NOT_ALLOWED');
    const head = await s.request('HEAD', `${DOCS_PATH}/swagger-ui.css`, { token: null });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const doc = await s.request('HEAD', `${API_PREFIX}/openapi.json`, { token: null });
    expect(doc.status).toBe(200);
    expect(doc.text).toBe('');
  });
});

describe.skipIf(!hasChromium)('the API reference in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(() => browser?.close());

  it('renders every operation with no console or page error, talking to the server only', async () => {
    const doc = (await s.request('GET', `${API_PREFIX}/openapi.json`, { token: null })).json;
    const operationCount = Object.values(doc.paths as Record<string, object>).reduce(
      (n, item) => n + Object.keys(item).length,
      0,
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    context.on('request', (r) => requests.push(r.url()));

    await page.goto(`${s.url}${DOCS_PATH}`);
    // The rendered reference: the title from info, then one block per operation.
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Orgdesk' }).waitFor();
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operationCount);
    const update = page
      .locator('.opblock.opblock-patch')
      .filter({ has: page.locator('[data-path="/organizations/{id}"]') });
    expect(await update.count()).toBe(1);

    // Open one operation: its parameters, body and responses render under the CSP too.
    await update.locator('.opblock-summary').click();
    await update.locator('.opblock-body .responses-wrapper').waitFor();
    await update.locator('.parameters-container').waitFor();
    // And the schemas section.
    await page.locator('section.models').waitFor();

    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) {
      if (url.startsWith('data:') || url.startsWith('blob:')) continue;
      expect(new URL(url).origin, url).toBe(s.url);
    }
    expect(requests).toContain(`${s.url}${API_PREFIX}/openapi.json`);
    await context.close();
  });
});
