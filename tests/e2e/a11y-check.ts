// UI-9's check for one view, shared by the a11y specs: axe in light and dark (no serious or
// critical violation) and a screenshot of each into test-results/screenshots/.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

const SCHEMES = ['light', 'dark'] as const;

export async function checkView(page: Page, name: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).analyze();
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
      }));
    expect(blocking, `${name} (${colorScheme})`).toEqual([]);
    // A modal's backdrop covers only the viewport, so dialogs are taken at viewport size.
    const modal = await page.locator('dialog[open]').count();
    // A full-page shot of a scrolled page draws the sticky title bar where the scroll left it,
    // over the view's content: photograph from the top (Playwright scrolls again as it needs).
    if (modal === 0) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({
      path: `test-results/screenshots/${name}-${colorScheme}.png`,
      fullPage: modal === 0,
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
