// Every e2e test gets its own world: a temp data dir seeded through our services (the database
// is closed again), then the real server started on it, and the page pointed at that server.
import { test as base, expect, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsolePage } from './pages/console-page';
import { SignInPage } from './pages/sign-in-page';
import { seedDataDir, type Seed } from './seed';
import { startServer } from './server';

export interface E2EWorld {
  url: string;
  dataDir: string;
  seed: Seed;
}

interface Fixtures {
  world: E2EWorld;
  signIn: SignInPage;
  app: ConsolePage;
  /** Signs in with a seeded user's email and password and waits for the console. */
  signInAs(who: 'admin' | 'reader' | 'technician'): Promise<ConsolePage>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
  world: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'orgdesk-e2e-'));
    const seed = await seedDataDir(dataDir);
    const server = await startServer(dataDir);
    try {
      await use({ url: server.url, dataDir, seed });
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  baseURL: async ({ world }, use) => use(world.url),
  signIn: async ({ page }, use) => use(new SignInPage(page)),
  app: async ({ page }, use) => use(new ConsolePage(page)),
  signInAs: async ({ world, signIn, app }, use) => {
    await use(async (who) => {
      const user = world.seed[who];
      await signIn.goto();
      await signIn.withPassword(user.email, user.password);
      await app.waitForShell();
      return app;
    });
  },
});

export { expect };

/** The page's own clipboard, read as the app would. */
export const readClipboard = (page: Page): Promise<string> =>
  page.evaluate(() => navigator.clipboard.readText());
