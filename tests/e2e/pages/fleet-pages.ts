import type { Locator, Page } from '@playwright/test';

/** UI-12: the fleet overview on All organizations. */
export class FleetPage {
  readonly view: Locator;
  readonly totals: Locator;
  readonly attention: Locator;
  readonly attentionTable: Locator;
  readonly supportAccess: Locator;
  readonly history: Locator;

  constructor(readonly page: Page) {
    this.view = page.locator('[data-view="fleet"]');
    this.totals = this.view.getByTestId('fleet-totals');
    this.attention = this.view.getByRole('region', { name: /^Needs attention/ });
    this.attentionTable = this.view.getByRole('table', {
      name: 'Organizations that need attention',
    });
    this.supportAccess = this.view.getByTestId('fleet-support-access');
    this.history = new HealthHistoryPanel(this.view).root;
  }

  /** A total by its label ("Hosts online"), as the number shown. */
  total(label: string): Locator {
    return this.totals
      .locator('.stat')
      .filter({ has: this.page.getByText(label, { exact: true }) })
      .locator('dd')
      .first();
  }

  attentionRow(name: string): Locator {
    return this.attentionTable
      .getByRole('row')
      .filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  chart(): HealthHistoryPanel {
    return new HealthHistoryPanel(this.view);
  }
}

/** The health chart panel (fleet or one org) and its text alternative. */
export class HealthHistoryPanel {
  readonly root: Locator;
  readonly chart: Locator;
  readonly summary: Locator;
  readonly numbers: Locator;
  readonly numbersToggle: Locator;

  constructor(within: Locator) {
    this.root = within.locator('[data-testid="health-history"][data-state="ready"]');
    this.chart = this.root.getByRole('img');
    this.summary = this.root.getByTestId('health-summary');
    this.numbersToggle = this.root.getByText('The numbers per hour');
    this.numbers = this.root.getByRole('table');
  }
}

/** UI-15: the org a destructive confirmation names, with its colour badge. */
export const orgTarget = (dialog: Locator): Locator => dialog.getByTestId('org-target');
