import type { Locator, Page } from '@playwright/test';

/** PLAT-1: the platform operator's accounts view and its dialogs. */
export class AccountsPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly createDialog: Locator;
  readonly createdDialog: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="accounts"]');
    this.table = this.view.getByRole('table', { name: 'Accounts' });
    this.createDialog = page.getByRole('dialog', { name: 'New account' });
    this.createdDialog = page.getByRole('dialog', { name: 'Account created' });
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: new RegExp(`^${name}( yours)?$`) }) });
  }

  /** The row's cells, in column order: name, status, organizations, users, hosts, created. */
  cells(name: string): Locator {
    return this.row(name).getByRole('cell');
  }

  dialog(title: string): Locator {
    return this.page.getByRole('dialog', { name: title });
  }
}
