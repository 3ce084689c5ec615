import { expect, type Locator, type Page } from '@playwright/test';

/** The shell around every view: title bar, sidebar, switcher, and the main view. */
export class ConsolePage {
  readonly titleBar: Locator;
  readonly currentOrgName: Locator;
  readonly sidebar: Locator;
  readonly switcher: Locator;
  readonly switcherInput: Locator;
  /** UI-14: refreshes the current view now. */
  readonly refresh: Locator;
  /** UI-14: says a support engineer's access to an account ended and its data went. */
  readonly accessEnded: Locator;
  /** UI-16: Ctrl/Cmd+Shift+P, the current view's actions. */
  readonly palette: Locator;
  readonly paletteInput: Locator;
  /** UI-16: `?`, every shortcut. */
  readonly shortcuts: Locator;
  /** UI-16: asked before edits are dropped. */
  readonly discardPrompt: Locator;

  constructor(readonly page: Page) {
    this.titleBar = page.getByRole('banner');
    this.currentOrgName = page.getByTestId('current-org-name');
    this.sidebar = page.getByRole('navigation', { name: 'Views' });
    this.switcher = page.getByRole('dialog', { name: 'Switch organization' });
    this.switcherInput = this.switcher.getByRole('combobox', { name: 'Search organizations' });
    this.refresh = page.locator('.app [data-view]').getByRole('button', { name: 'Refresh' });
    this.accessEnded = page.getByTestId('access-ended');
    this.palette = page.getByRole('dialog', { name: 'Actions' });
    this.paletteInput = this.palette.getByRole('combobox', { name: 'Search actions' });
    this.shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    this.discardPrompt = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
  }

  async waitForShell(): Promise<void> {
    await this.page.locator('.app [data-view][data-state="ready"]').first().waitFor();
  }

  /** The main view with registry id `id`, once its data has loaded. */
  view(id: string): Locator {
    return this.page.locator(`[data-view="${id}"][data-state="ready"]`);
  }

  async openView(label: string, id: string): Promise<Locator> {
    await this.sidebar.getByRole('link', { name: label, exact: true }).click();
    const view = this.view(id);
    await view.waitFor();
    return view;
  }

  async openPalette(): Promise<void> {
    await this.page.keyboard.press('ControlOrMeta+Shift+p');
    await expect(this.paletteInput).toBeFocused();
  }

  /** The palette's entry for an action, by its label. */
  paletteOption(label: string): Locator {
    return this.palette.getByRole('option', { name: new RegExp(`^${label}`) });
  }

  async openSwitcher(): Promise<void> {
    await this.page.keyboard.press('ControlOrMeta+k');
    await expect(this.switcherInput).toBeFocused();
  }

  /** Keyboard only: Ctrl/Cmd+K, type, wait for the org to be the active option, Enter. */
  async switchTo(name: string): Promise<void> {
    await this.openSwitcher();
    await this.page.keyboard.type(name);
    const option = this.switcher.getByRole('option', { name: new RegExp(`^${name}`) });
    await expect(option).toHaveAttribute('aria-selected', 'true');
    await this.page.keyboard.press('Enter');
    await expect(this.switcher).toBeHidden();
    await expect(this.currentOrgName).toHaveText(name);
  }

  /** Keyboard only: "All organizations" is the first choice before anything is typed. */
  async switchToAll(): Promise<void> {
    await this.openSwitcher();
    const all = this.switcher.getByRole('option', { name: 'All organizations' });
    await expect(all).toHaveAttribute('aria-selected', 'true');
    await this.page.keyboard.press('Enter');
    await expect(this.currentOrgName).toHaveText('All organizations');
  }

  /** Where the window is: path and query of its URL (UI-10). */
  place(): string {
    const url = new URL(this.page.url());
    return `${url.pathname}${url.search}`;
  }

  async signOut(): Promise<void> {
    await this.titleBar.getByRole('button', { name: 'Sign out' }).click();
  }

  toast(text: string | RegExp): Locator {
    // The newest one: an earlier notice with the same words may still be fading out.
    return this.page.locator('.toaster').getByText(text).last();
  }
}
