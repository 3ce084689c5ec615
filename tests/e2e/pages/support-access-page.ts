import type { Locator, Page } from '@playwright/test';

/** UI-6, the customer admin's side and the support engineer's side. */
export class SupportAccessPage {
  readonly view: Locator;
  readonly status: Locator;
  readonly state: Locator;
  readonly countdown: Locator;
  readonly grants: Locator;
  readonly duration: Locator;
  readonly enable: Locator;
  readonly disable: Locator;
  readonly emergency: Locator;
  readonly emergencyDialog: Locator;
  readonly requests: Locator;
  readonly requestsTable: Locator;
  readonly approveDialog: Locator;
  readonly denyDialog: Locator;
  // The support engineer's side.
  readonly myAccess: Locator;
  readonly requestForm: Locator;
  readonly myRequests: Locator;
  readonly refresh: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="support-access"]');
    this.status = page.getByTestId('support-status');
    this.state = this.status.getByTestId('support-state');
    this.countdown = this.status.getByRole('timer');
    this.grants = this.status.getByRole('list', { name: 'Active grants' });
    this.duration = this.view.getByRole('region', { name: 'Change access' }).getByLabel('Duration');
    this.enable = this.view.getByRole('button', { name: /^(Enable|Extend) support access$/ });
    this.disable = this.view.getByRole('button', { name: 'Disable', exact: true });
    this.emergency = this.view.getByRole('button', { name: 'Emergency disable…' });
    this.emergencyDialog = page.getByRole('dialog', { name: 'Emergency disable support access?' });
    this.requests = page.getByTestId('support-requests');
    this.requestsTable = this.requests.getByRole('table', { name: 'Support requests' });
    this.approveDialog = page.getByRole('dialog', { name: 'Approve this support request?' });
    this.denyDialog = page.getByRole('dialog', { name: 'Deny this support request?' });
    this.myAccess = page.getByTestId('my-support-access');
    this.requestForm = this.view.getByRole('region', { name: 'Request access' });
    this.myRequests = this.view.getByRole('table', { name: 'Your support requests' });
    this.refresh = this.view.getByRole('button', { name: 'Refresh' });
  }

  requestRow(text: string): Locator {
    return this.requestsTable.getByRole('row').filter({ hasText: text });
  }

  async emergencyDisable(reason: string): Promise<void> {
    await this.emergency.click();
    await this.emergencyDialog.getByLabel('Reason').fill(reason);
    await this.emergencyDialog.getByRole('button', { name: 'End all support access' }).click();
  }
  /** UI-6: the engineer picks a granted account by name and lands in its organizations. */
  openAccount(name: string): Locator {
    return this.myAccess.getByRole('link', { name: `Open ${name}`, exact: true });
  }
}

/** "23:59:58" or "6 d 23:59:58" in seconds. */
export function countdownSeconds(text: string): number {
  const m = /^(?:(\d+) d )?(\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`not a countdown: ${text}`);
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86_400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
}
