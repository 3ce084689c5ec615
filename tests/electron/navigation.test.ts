// Where a window may go, which IPC senders are served, and how deep links are read.
import { describe, expect, it } from 'vitest';
import { findDeepLink, parseDeepLink } from '../../main/desktop/shell/deep-link';
import {
  decideNavigation,
  decideWindowOpen,
  externalUrl,
} from '../../main/desktop/shell/navigation';
import { checkSender } from '../../main/desktop/ipc/sender';

describe('navigation', () => {
  it('stays in the app; external http(s) goes to the OS browser; everything else is blocked', () => {
    expect(decideNavigation('orgdesk-app://app/index.html')).toEqual({ action: 'allow' });
    expect(decideNavigation('https://docs.example.com/x?y=1')).toEqual({
      action: 'open-external',
      url: 'https://docs.example.com/x?y=1',
    });
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'orgdesk-app://evil/index.html',
      'smb://server/share',
      'chrome://settings',
    ]) {
      expect(decideNavigation(url).action, url).toBe('deny');
    }
  });

  it('window.open never opens an app window', () => {
    expect(decideWindowOpen('orgdesk-app://app/index.html').action).toBe('deny');
    expect(decideWindowOpen('about:blank').action).toBe('deny');
    expect(decideWindowOpen('https://example.com').action).toBe('open-external');
  });

  it('validates URLs before the OS browser sees them', () => {
    expect(externalUrl('https://user:pw@example.com/')).toBeNull();
    expect(externalUrl('https://example.com/ --flag')).toBeNull();
    expect(externalUrl('https://example.com/\nx')).toBeNull();
    expect(externalUrl(`https://example.com/${'a'.repeat(3000)}`)).toBeNull();
    expect(externalUrl('http://example.com/a b'.replace(' ', '%20'))).toBe(
      'http://example.com/a%20b',
    );
  });
});

describe('IPC sender check', () => {
  it('serves only the top frame of an app page', () => {
    expect(
      checkSender({ frameUrl: 'orgdesk-app://app/index.html', isMainFrame: true, windowId: 1 }),
    ).toEqual({
      trusted: true,
    });
    for (const [frameUrl, isMainFrame] of [
      ['https://evil.example.com/', true],
      ['file:///tmp/x.html', true],
      ['orgdesk-app://app.evil.com/', true],
      ['orgdesk-app://app/index.html', false],
      [null, true],
    ] as const) {
      expect(checkSender({ frameUrl, isMainFrame, windowId: 1 }).trusted, String(frameUrl)).toBe(
        false,
      );
    }
  });
});

describe('deep links', () => {
  it('orgdesk://org/<id> selects an org', () => {
    expect(parseDeepLink('orgdesk://org/42')).toEqual({ kind: 'organization', organizationId: 42 });
    expect(parseDeepLink('orgdesk://org/42/')).toEqual({
      kind: 'organization',
      organizationId: 42,
    });
    expect(parseDeepLink('ORGDESK://ORG/7')).toEqual({ kind: 'organization', organizationId: 7 });
  });

  it('anything else is ignored', () => {
    for (const link of [
      'orgdesk://org/0',
      'orgdesk://org/-1',
      'orgdesk://org/01',
      'orgdesk://org/1.5',
      'orgdesk://org/abc',
      'orgdesk://org/99999999999999999',
      'orgdesk://org/42?x=1',
      'orgdesk://org/42#x',
      'orgdesk://org/42/hosts',
      'orgdesk://user@org/42',
      'orgdesk://org:1/42',
      'orgdesk://host/42',
      'https://org/42',
      'orgdesk://org/%34%32',
      `orgdesk://org/${'1'.repeat(300)}`,
      '',
    ]) {
      expect(parseDeepLink(link), link).toBeNull();
    }
  });

  it('is found among a second instance’s arguments', () => {
    expect(findDeepLink(['/usr/bin/orgdesk', '--flag', 'orgdesk://org/9'])).toEqual({
      kind: 'organization',
      organizationId: 9,
    });
    expect(findDeepLink(['/usr/bin/orgdesk', 'orgdesk://nope'])).toBeNull();
  });
});
