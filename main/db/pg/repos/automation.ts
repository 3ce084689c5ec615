import { eq } from 'drizzle-orm';
import type { AutomationRepo, OrgAutomation } from '../../../features/automation/automation.repo';
import { organizations } from '../schema';
import type { PgTx } from '../uow';

/** AUT-1/2 on PostgreSQL: the SQLite adapter's one query. */
export class PgAutomationRepo implements AutomationRepo {
  constructor(private readonly tx: PgTx) {}

  async orgAutomation(orgId: number): Promise<OrgAutomation | undefined> {
    const [row] = await this.tx.db
      .select({
        automationLevel: organizations.automationLevel,
        killSwitch: organizations.killSwitch,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row;
  }
}
