// IDN-4: the system browser for single sign-on (RFC 8252: never an embedded web view, which could
// read what the user types at their identity provider). The OS opens whatever it is handed with
// whatever program claims the scheme, so the URL is checked first, here too (sso-loopback.ts
// already did): only the server's own https (or loopback http) sign-in address is ever opened.
import { shell } from 'electron';
import { DomainError } from '../core/errors';
import { checkBrowserUrl } from '../desktop/connections/browser-url';
import type { SystemBrowser } from '../desktop/connections/sso-loopback';

export const electronSystemBrowser: SystemBrowser = {
  async open(url, serverUrl) {
    const verdict = checkBrowserUrl(url, serverUrl);
    if (!verdict.open) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `Nothing was opened in your browser: ${verdict.reason}`,
      );
    }
    try {
      await shell.openExternal(verdict.url);
    } catch (err) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `Orgdesk could not open your browser (${(err as Error).message}); set a default browser and sign in again`,
      );
    }
  },
};
