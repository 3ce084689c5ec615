// The one Content-Security-Policy (shared/csp.ts): its directives are pinned here, so a new
// directive, a new source or a loosened one is a decision made in this file, and the three places
// that deliver a policy are checked to deliver these.
import type { HtmlTagDescriptor, Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../main/desktop/shell/app-protocol';
import { CONSOLE_CSP } from '../main/server/static';
import {
  contentSecurityPolicy,
  cspDirectives,
  DESKTOP_CSP,
  INDEX_HTML_CSP,
  WEB_CSP,
} from '../shared/csp';
import viteConfig from '../vite.config';

/** A policy string back into its directives, as a browser reads it. */
const parse = (policy: string): Record<string, string[]> =>
  Object.fromEntries(
    policy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );

const COMMON = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-src': ["'none'"],
  'worker-src': ["'none'"],
};

describe('the Content-Security-Policy', () => {
  it('web console header: its own origin for everything, the API on it, no framing', () => {
    expect(parse(WEB_CSP)).toEqual({
      ...COMMON,
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('desktop app protocol header: the same, but no network at all (IPC only)', () => {
    expect(parse(DESKTOP_CSP)).toEqual({
      ...COMMON,
      'connect-src': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('index.html <meta>: what both need, without frame-ancestors (ignored in a <meta>)', () => {
    expect(parse(INDEX_HTML_CSP)).toEqual({ ...COMMON, 'connect-src': ["'self'"] });
  });

  it('the parameters are the only differences', () => {
    const base = cspDirectives({ connect: 'self', delivery: 'header' });
    for (const connect of ['self', 'none'] as const) {
      for (const delivery of ['header', 'meta'] as const) {
        const {
          'connect-src': c,
          'frame-ancestors': f,
          ...rest
        } = cspDirectives({
          connect,
          delivery,
        });
        const { 'connect-src': _c, 'frame-ancestors': _f, ...baseRest } = base;
        expect(rest).toEqual(baseRest);
        expect(c).toEqual([`'${connect}'`]);
        expect(f).toEqual(delivery === 'header' ? ["'none'"] : undefined);
        expect(parse(contentSecurityPolicy({ connect, delivery }))).toEqual(
          cspDirectives({ connect, delivery }),
        );
      }
    }
  });

  it('allows no inline code, eval, wildcard or other origin anywhere', () => {
    for (const policy of [WEB_CSP, DESKTOP_CSP, INDEX_HTML_CSP]) {
      expect(policy).not.toMatch(/unsafe-|strict-dynamic|nonce-|sha\d+-|\*|https?:|blob:|ws:/);
      expect(policy).not.toMatch(/report-uri|report-to|sandbox/);
    }
  });

  it('the <meta> is never stricter than a header (a browser enforces both)', () => {
    const meta = parse(INDEX_HTML_CSP);
    for (const header of [parse(WEB_CSP), parse(DESKTOP_CSP)]) {
      for (const [name, values] of Object.entries(header)) {
        if (name === 'frame-ancestors') continue;
        if (values.includes("'none'")) continue;
        expect({ name, covered: values.every((v) => meta[name]?.includes(v)) }).toEqual({
          name,
          covered: true,
        });
      }
    }
  });
});

describe('every delivery uses it', () => {
  it('the server sends the web console policy', () => {
    expect(CONSOLE_CSP).toBe(WEB_CSP);
  });

  it('the app protocol sends the desktop policy', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(DESKTOP_CSP);
  });

  it('the Vite build writes the index.html policy as the first tag of <head>', async () => {
    const plugins = ((viteConfig.plugins ?? []) as unknown[]).flat(5) as Plugin[];
    const csp = plugins.find((p) => p?.name === 'orgdesk-csp');
    expect(csp?.apply).toBe('build');
    const hook = csp?.transformIndexHtml as unknown as () => HtmlTagDescriptor[];
    expect(await hook()).toEqual([
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: INDEX_HTML_CSP },
        injectTo: 'head-prepend',
      },
    ]);
  });
});
