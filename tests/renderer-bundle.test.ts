// Console load: the built console (dist/renderer, `vite build`) starts with the shell only. Each
// view is a chunk of its own, fetched when it is first shown or preloaded, and the console proper
// is requested by index.html beside the small entry that sends the first calls.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(process.cwd(), 'dist', 'renderer');
const built = existsSync(join(DIST, 'index.html'));

/** Words only one view shows: where they are is where that view's code is. */
const VIEW_WORDS: Record<string, string> = {
  audit: 'Exports hold every matching',
  governance: 'Run retention cleanup now',
  locations: 'Which location would this IP land in?',
  hosts: 'Move and pin',
  users: 'Roles of ',
  'support-access': 'Emergency disable',
};

/** The default view's (All organizations): part of the first screen's code. */
const FIRST_VIEW_WORDS = 'No organization matches these filters';

describe.skipIf(!built)('the built console', () => {
  const html = built ? readFileSync(join(DIST, 'index.html'), 'utf8') : '';
  const entry = /<script type="module"[^>]*src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  const preloads = [
    ...html.matchAll(/<link rel="modulepreload"[^>]*href="\/(assets\/[^"]+)"/g),
  ].map((m) => m[1]!);
  const chunks = built ? readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js')) : [];
  const text = (file: string) => readFileSync(join(DIST, file), 'utf8');
  const appMain = chunks.find((f) => f.startsWith('app-main-'));

  it('loads the console proper beside a small entry', () => {
    expect(entry).toBeDefined();
    expect(appMain).toBeDefined();
    expect(preloads).toContain(`assets/${appMain}`);
    // The entry holds the first calls, not React's renderer.
    expect(text(entry!)).not.toContain('react-dom');
    expect(text(entry!).length).toBeLessThan(80_000);
  });

  it("holds what sends the first calls in the entry, not the console's own client", () => {
    // The first calls leave once the entry has been compiled and run: the console's client, with
    // step-up and its passkey ceremony, is app-main's, needed only after them.
    const passkeys = 'WebAuthn is not supported in this browser';
    expect(text(entry!).includes(passkeys), 'the passkey ceremony is in the entry').toBe(false);
    expect(text(`assets/${appMain}`)).toContain(passkeys);
  });

  it('asks for the console proper as one file beside the entry', () => {
    // Each file is a request, a cache lookup, a module record and a streaming compile of its own
    // for the browser's processes, paid on every load: the modules app-main imports (and the views
    // share) are in app-main itself, not in a dozen small chunks the load waits for one by one.
    expect(preloads.filter((f) => f !== entry)).toEqual([`assets/${appMain}`]);
  });

  it("holds no screen a signed-in load does not draw in the first screen's code", () => {
    // Everything index.html asks for is fetched, and (compile hints) compiled whole, on every
    // load: the second-factor enrolment (IDN-1, shown only to users who must enrol) and its QR
    // code renderer belong to the chunk of their own the gate loads when it shows.
    const firstScreen = [entry!, ...preloads].map(text).join('\n');
    const words = {
      'the security panel': 'Scan this code with your authenticator app',
      'the QR code renderer (qrcode)': 'You need to specify a canvas element',
    };
    for (const [what, word] of Object.entries(words)) {
      expect(firstScreen.includes(word), `${what} is in the first screen's code`).toBe(false);
    }
  });

  it('keeps the place in the history alone: no router in the first screen', () => {
    // Every place renders the same tree (the shell reads its place from the history), so a
    // router's route tree, matching and load pipeline had nothing to do on a load but cost it
    // their code (TanStack Router: about 65 kB of app-main) and their start. Its root route's id
    // is the router's trace in a bundle.
    const firstScreen = [entry!, ...preloads].map(text).join('\n');
    expect(firstScreen.includes('__root__'), "a router is in the first screen's code").toBe(false);
  });

  it('holds the first view, All organizations, and its table in the console proper', () => {
    // As its own chunk, the view and the 7 files it imported (the table kit, its dialogs) were
    // asked for only once the entry had run: a second round of requests to the browser's cache,
    // slow on a busy machine, before the first screen could render. Now they come with app-main,
    // and their styles are linked by index.html, not added by the dynamic import.
    expect(text(`assets/${appMain}`)).toContain(FIRST_VIEW_WORDS);
    const holders = chunks.filter((f) => text(`assets/${f}`).includes(FIRST_VIEW_WORDS));
    expect(holders).toEqual([appMain]);
    const styles = [...html.matchAll(/<link rel="stylesheet"[^>]*href="\/(assets\/[^"]+)"/g)].map(
      (m) => m[1]!,
    );
    const css = readdirSync(join(DIST, 'assets')).filter(
      (f) => f.startsWith('app-main-') && f.endsWith('.css'),
    );
    expect(css.length).toBe(1);
    expect(styles).toContain(`assets/${css[0]}`);
  });

  it('keeps every other view out of the entry and the shell, each in a chunk of its own', () => {
    const shell = [entry!, `assets/${appMain}`].map(text).join('\n');
    for (const [view, words] of Object.entries(VIEW_WORDS)) {
      expect(shell.includes(words), `${view} is in the shell`).toBe(false);
      const holders = chunks.filter((f) => text(`assets/${f}`).includes(words));
      expect(holders.length, `${view}: ${holders.join(', ')}`).toBe(1);
    }
  });
});

if (!built) console.warn('Console bundle checks skipped: dist/renderer is not built (vite build).');
