// Port (issue 14): AUT-1/2 decisions read the org's automation fields. SQLite:
// main/db/sqlite/repos/automation.ts.
import type { OrganizationRow } from '../../domain/rows';

export type OrgAutomation = Pick<OrganizationRow, 'automationLevel' | 'killSwitch'>;

export interface AutomationRepo {
  /** The org's level and kill switch as of this transaction; undefined if the org is gone. */
  orgAutomation(orgId: number): Promise<OrgAutomation | undefined>;
}
