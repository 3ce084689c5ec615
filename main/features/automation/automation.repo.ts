// Draft port (issue 14 step 0): AUT-1/2 decisions read the org's automation fields. Not yet
// implemented on SQLite.
import type { OrganizationRow } from '../../domain/rows';

export interface AutomationRepo {
  orgAutomation(
    orgId: number,
  ): Promise<
    Pick<OrganizationRow, 'id' | 'accountId' | 'automationLevel' | 'killSwitch'> | undefined
  >;
}
