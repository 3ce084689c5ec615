import type { Locator, Page } from '@playwright/test';

export class SignInPage {
  readonly root: Locator;
  constructor(private readonly page: Page) {
    this.root = page.locator('[data-view="sign-in"][data-state="ready"]');
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await this.root.waitFor();
  }

  async withPassword(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  async withToken(token: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign in with an API token instead' }).click();
    await this.page.getByLabel('API token').fill(token);
    await this.page.getByRole('button', { name: 'Sign in with token' }).click();
  }

  error(): Locator {
    return this.page.getByRole('alert');
  }
}
