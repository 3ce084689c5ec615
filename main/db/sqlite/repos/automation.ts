import { eq, sql } from 'drizzle-orm';
import type { AutomationRepo, OrgAutomation } from '../../../features/automation/automation.repo';
import type { Db } from '../../database';
import { organizations } from '../../schema';

/** AUT-1/2 on SQLite: the service's one query, moved unchanged and prepared once. */
export class SqliteAutomationRepo implements AutomationRepo {
  private readonly byId;

  constructor(db: Db) {
    this.byId = db
      .select({
        automationLevel: organizations.automationLevel,
        killSwitch: organizations.killSwitch,
      })
      .from(organizations)
      .where(eq(organizations.id, sql.placeholder('orgId')))
      .prepare();
  }

  async orgAutomation(orgId: number): Promise<OrgAutomation | undefined> {
    return this.byId.get({ orgId });
  }
}
