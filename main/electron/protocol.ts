// The app is served from orgdesk-app://app/ (see main/desktop/shell/app-protocol.ts for the rules).
import { protocol } from 'electron';
import { APP_SCHEME, serveAppRequest } from '../desktop/shell/app-protocol';

/** Before `ready`: a standard, secure scheme gets a real origin (CSP 'self', storage). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveApp(root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const res = await serveAppRequest(root, request.url, request.method);
    return new Response(new Uint8Array(res.body), { status: res.status, headers: res.headers });
  });
}
