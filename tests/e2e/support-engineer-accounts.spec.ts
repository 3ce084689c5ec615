// UI-6 / SUP-2: a support engineer picks one of the accounts that granted access, by name and
// with the grant's end, and lands in that account's organizations (and can go back to all).
import { eq } from 'drizzle-orm';
import { users } from '../../main/db/schema';
import { checkView } from './a11y-check';
import { expect, test as base } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { OrganizationsPage } from './pages/organizations-page';
import { SignInPage } from './pages/sign-in-page';
import { SupportAccessPage } from './pages/support-access-page';
import { PASSWORD } from './seed';
import { seedSupportEngineer, withServices, type SeededEngineer } from './side-seed';

const test = base.extend<{ engineer: SeededEngineer }>({
  engineer: async ({ world }, use) => {
    const engineer = await seedSupportEngineer(world.dataDir, { request: false });
    // Two customers enable support access: Northwind (the seeded one) and Contoso.
    await withServices(world.dataDir, async (services) => {
      const admin = async (email: string) => {
        const id = services.infra.storage.db
          .select({ id: users.id })
          .from(users)
          .where(eq(users.email, email))
          .get()!.id;
        return (await services.auth.actorForUser(id))!;
      };
      await services.supportAccess.enable(await admin(world.seed.admin.email), {
        duration_hours: 4,
      });
      const contoso = await services.accounts.provision({
        accountName: 'Contoso',
        adminEmail: 'admin@contoso.test',
        adminName: 'Contoso Admin',
        adminPassword: PASSWORD,
      });
      const contosoAdmin = (await services.auth.actorForUser(contoso.adminUserId))!;
      await services.organizations.create(contosoAdmin, { name: 'Contoso Retail' });
      await services.supportAccess.enable(contosoAdmin, { duration_hours: 2 });
    });
    await use(engineer);
  },
});

test('the engineer picks Contoso by name and sees only its organizations, then every account again', async ({
  page,
  engineer,
}) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.withPassword(engineer.email, engineer.password);
  const app = new ConsolePage(page);
  await app.waitForShell();
  await app.openView('Support access', 'support-access');
  const mine = new SupportAccessPage(page);
  // By name, with when the access ends.
  for (const name of ['Contoso', 'Northwind MSP']) {
    await expect(mine.myAccess.getByRole('listitem').filter({ hasText: name })).toContainText(
      /Ends in .*until/,
    );
  }

  await checkView(page, 'support engineer account picker');
  await mine.openAccount('Contoso').click();
  const orgs = new OrganizationsPage(page);
  await expect(page.getByTestId('picked-account')).toContainText(
    /Reading Contoso, view only, until/,
  );
  await expect(orgs.names()).toHaveText(['Contoso Retail']);
  await checkView(page, 'support engineer in one account');

  await page.getByRole('button', { name: 'Show every account you can read' }).click();
  await expect(page.getByTestId('picked-account')).toHaveCount(0);
  await expect(orgs.names()).toContainText(['Acme Corp', 'Contoso Retail']);
});
