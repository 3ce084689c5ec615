import type { Locator, Page } from '@playwright/test';

export class OrganizationsPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly createDialog: Locator;
  readonly pager: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="organizations"]');
    this.table = this.view.getByRole('table', { name: 'Organizations' });
    this.createDialog = page.getByRole('dialog');
    this.pager = page.getByRole('navigation', { name: 'Pages of organizations' });
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  filter(label: 'Search' | 'Region' | 'Status'): Locator {
    return this.view.getByRole('search', { name: 'Filter organizations' }).getByLabel(label);
  }

  /** The table's column header (a `th`), whose `aria-sort` says how the table is sorted. */
  header(name: string): Locator {
    return this.table.getByRole('columnheader', { name, exact: true });
  }

  /** UI-11: the header's sort button. */
  sortButton(name: string): Locator {
    return this.header(name).getByRole('button', { name, exact: true });
  }

  /** The names of the rows shown, in order. */
  names(): Locator {
    return this.table.locator('tbody .cell-name');
  }

  async search(text: string): Promise<void> {
    await this.view.getByLabel('Search').fill(text);
  }

  /** The "New organization" dialog, opened. */
  async openCreate(): Promise<Locator> {
    await this.view.getByRole('button', { name: 'New organization' }).click();
    return this.page.getByRole('dialog', { name: 'New organization' });
  }

  async create(fields: { name: string; description?: string; region?: string }): Promise<void> {
    const dialog = await this.openCreate();
    await dialog.getByLabel('Name').fill(fields.name);
    if (fields.description) await dialog.getByLabel('Description').fill(fields.description);
    if (fields.region) await dialog.getByLabel('Region').fill(fields.region);
    await dialog.getByRole('button', { name: 'Create organization' }).click();
  }
}
