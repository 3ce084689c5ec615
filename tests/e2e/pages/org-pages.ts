import type { Locator, Page } from '@playwright/test';

/** The org overview's agent enrollment panel (UI-5). */
export class SecretPanel {
  readonly root: Locator;
  readonly reveal: Locator;
  readonly hide: Locator;
  readonly copy: Locator;
  readonly download: Locator;
  readonly regenerate: Locator;
  readonly value: Locator;
  readonly masked: Locator;

  constructor(page: Page) {
    this.root = page.getByRole('region', { name: 'Agent enrollment' });
    this.reveal = this.root.getByRole('button', { name: 'Reveal secret' });
    this.hide = this.root.getByRole('button', { name: 'Hide secret' });
    this.copy = this.root.getByRole('button', { name: 'Copy secret' });
    this.download = this.root.getByRole('button', { name: 'Download agent configuration' });
    this.regenerate = this.root.getByRole('button', { name: 'Regenerate secret…' });
    this.value = this.root.getByTestId('secret-value');
    this.masked = this.root.getByTestId('secret-masked');
  }
}

/** SEC-3 on the overview: the running grace period and the hosts still on the old secret. */
export class SecretRolloverPanel {
  readonly root: Locator;
  readonly hosts: Locator;

  constructor(page: Page) {
    this.root = page.getByRole('region', { name: 'Secret rollover in progress' });
    this.hosts = this.root.getByRole('list', { name: 'Hosts still using the old secret' });
  }
}

export class LocationsPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly editor: Locator;
  readonly tester: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="locations"]');
    this.table = this.view.getByRole('table', { name: 'Locations' });
    this.editor = page.getByTestId('location-editor');
    this.tester = page.getByRole('region', { name: 'Which location would this IP land in?' });
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('button', { name, exact: true }) });
  }

  subnetInput(): Locator {
    return this.editor.getByRole('textbox', { name: 'Subnets' });
  }

  subnetError(): Locator {
    return this.editor.locator('.field').filter({ hasText: 'Subnets' }).locator('.field-error');
  }

  /** UI-4 / LOC-1: the editor's searchable time zone picker and its list of zones. */
  timezonePicker(): Locator {
    return this.editor.getByRole('combobox', { name: 'Time zone' });
  }

  timezoneOptions(): Locator {
    return this.editor.getByRole('listbox', { name: 'Zones' }).getByRole('option');
  }

  /** LOC-4: the delete confirmation of the location open in the editor. */
  deleteDialog(name: string): Locator {
    return this.page.getByRole('dialog', { name: `Delete ${name}?` });
  }

  async testIp(ip: string): Promise<Locator> {
    await this.tester.getByLabel('IP address').fill(ip);
    await this.tester.getByRole('button', { name: 'Test' }).click();
    return this.tester.getByTestId('ip-result');
  }
}

export class SettingsPage {
  readonly view: Locator;
  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="settings"]');
  }

  section(title: string): Locator {
    return this.page.getByRole('region', { name: title, exact: true });
  }
}
