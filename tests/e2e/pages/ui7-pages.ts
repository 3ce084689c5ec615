import type { Locator, Page } from '@playwright/test';

/** UI-7 hosts of the current org. */
export class HostsPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly moveDialog: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="hosts"]');
    this.table = this.view.getByRole('table', { name: 'Hosts' });
    this.moveDialog = page.getByRole('dialog', { name: /^Move / });
  }

  row(hostname: string): Locator {
    return this.table.getByRole('row').filter({ hasText: hostname });
  }

  filter(label: 'Search' | 'Location' | 'Status'): Locator {
    return this.view.getByRole('search', { name: 'Filter hosts' }).getByLabel(label);
  }

  header(name: string): Locator {
    return this.table.getByRole('columnheader', { name, exact: true });
  }

  /** UI-11: the header's sort button. */
  sortButton(name: string): Locator {
    return this.header(name).getByRole('button', { name, exact: true });
  }

  names(): Locator {
    return this.table.locator('tbody .cell-name');
  }
}

/** UI-7 audit viewer (org or account-wide). */
export class AuditPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly filters: Locator;
  readonly verify: Locator;
  readonly verifyResult: Locator;

  constructor(page: Page) {
    this.view = page.locator('[data-view="audit"]');
    this.table = this.view.getByRole('table', { name: 'Audit entries' });
    this.filters = this.view.getByRole('search', { name: 'Filter the audit trail' });
    this.verify = this.view.getByRole('button', { name: 'Verify chain' });
    this.verifyResult = page.getByTestId('verify-result');
  }

  header(name: string): Locator {
    return this.table.getByRole('columnheader', { name, exact: true });
  }
}

export class UsersPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly roleDialog: Locator;

  constructor(private readonly page: Page) {
    this.view = page.locator('[data-view="users"]');
    this.table = this.view.getByRole('table', { name: 'Users' });
    this.roleDialog = page.getByRole('dialog', { name: /^Roles of / });
  }

  row(email: string): Locator {
    return this.table.getByRole('row').filter({ hasText: email });
  }

  header(name: string): Locator {
    return this.table.getByRole('columnheader', { name, exact: true });
  }
}
