// AUD-2 / UI-7: the audit table names each entry's target as it is called now, beside its type
// and id; a target that is gone shows its id and "(deleted)".
import { expect, test } from './fixtures';
import { AuditPage } from './pages/ui7-pages';

test('the audit table shows targets by name, and a deleted one by id with (deleted)', async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  // A location made and deleted over REST, so its entries outlive it.
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${world.seed.adminToken}`,
  };
  const res = await fetch(
    `${world.url}/api/v1/organizations/${world.seed.orgs.acme.id}/locations`,
    {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Short-lived' }),
    },
  );
  expect(res.status).toBe(201);
  const made = ((await res.json()) as { id: number }).id;
  expect(
    (await fetch(`${world.url}/api/v1/locations/${made}`, { method: 'DELETE', headers })).ok,
  ).toBe(true);

  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await audit.filters.getByLabel('Action').fill('organization.created');
  await audit.filters.getByLabel('Target id').fill(String(world.seed.orgs.acme.id));
  await expect(audit.targetCells().filter({ hasText: 'Acme Corp' })).toHaveText(
    `Acme Corp organization #${world.seed.orgs.acme.id}`,
  );

  await audit.filters.getByLabel('Action').fill('location.');
  await audit.filters.getByLabel('Target id').fill(String(made));
  await expect(
    audit
      .targetCells()
      .filter({ hasText: `#${made}` })
      .first(),
  ).toHaveText(`location #${made} (deleted)`);
});
