// The console's one Content-Security-Policy. The same built renderer reaches a browser three ways,
// and all three policies are built here:
//
// - the Orgdesk server sends WEB_CSP as a header with every file (main/server/static.ts);
// - the desktop's app protocol sends DESKTOP_CSP as a header with every response
//   (main/desktop/shell/app-protocol.ts);
// - the build writes INDEX_HTML_CSP into index.html as a <meta> (vite.config.ts), which both of
//   them then serve.
//
// A browser enforces every policy it is given, so the <meta> one must allow what both transports
// need and each header narrows it for its own. The only true differences are the parameters of
// CspOptions. Pure and dependency-free: the Vite config imports it too.

export interface CspOptions {
  /**
   * connect-src. The web console calls the tRPC API on its own origin (`self`); the desktop
   * renderer talks to main over IPC and makes no network request at all (`none`).
   */
  connect: 'self' | 'none';
  /**
   * How the policy is delivered. A browser ignores frame-ancestors in a <meta> policy (and says so
   * on the console), so only a header carries it.
   */
  delivery: 'header' | 'meta';
}

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/**
 * Every directive, with its values. No inline script or style, no eval, nothing from another
 * origin: the console is its own files and nothing else (data: only for the empty favicon).
 */
export function cspDirectives({ connect, delivery }: CspOptions): CspDirectives {
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': [`'${connect}'`],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-src': ["'none'"],
    'worker-src': ["'none'"],
    ...(delivery === 'header' ? { 'frame-ancestors': ["'none'"] } : {}),
  };
}

/** The policy as a header (or <meta> content) value. */
export function contentSecurityPolicy(options: CspOptions): string {
  return Object.entries(cspDirectives(options))
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The header of every file the Orgdesk server serves for the web console. */
export const WEB_CSP = contentSecurityPolicy({ connect: 'self', delivery: 'header' });

/** The header of every response of the desktop's app protocol (orgdesk-app://app/). */
export const DESKTOP_CSP = contentSecurityPolicy({ connect: 'none', delivery: 'header' });

/** The <meta> of the built index.html, served by both: what either of them needs. */
export const INDEX_HTML_CSP = contentSecurityPolicy({ connect: 'self', delivery: 'meta' });
