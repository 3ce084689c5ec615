import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { notFound } from '../../core/errors';
import type { Repos, Uow } from '../../repos';
import { decide, explainDecision, type ActionKind } from '../../../shared/automation';
import {
  decideInput,
  type AutomationDecisionAnswer,
} from '../../../shared/schemas/automation.schema';

export interface AutomationDeps {
  uow: Uow;
  access: AccessService;
}

/**
 * AUT-1/AUT-2 for callers: reads the org's level and kill switch fresh and applies the one pure
 * decision function. Level and kill switch themselves change through organizations.update
 * (permission organizations.edit, audited as organization.updated).
 */
export class AutomationService {
  constructor(private readonly d: AutomationDeps) {}

  private async decision(
    r: Repos,
    orgId: number,
    kind: ActionKind,
  ): Promise<AutomationDecisionAnswer> {
    const org = await r.automation.orgAutomation(orgId);
    if (!org) throw notFound('Organization', orgId);
    return {
      organization_id: orgId,
      action_kind: kind,
      automation_level: org.automationLevel,
      kill_switch: org.killSwitch,
      decision: decide(org.automationLevel, org.killSwitch, kind),
      reason: explainDecision(org.automationLevel, org.killSwitch, kind),
    };
  }

  /** For engines running without a user (they hold the org id already, no access check). */
  async decideForOrg(orgId: number, kind: ActionKind): Promise<AutomationDecisionAnswer> {
    return this.d.uow.read((r) => this.decision(r, orgId, kind));
  }

  /** The decision for an org the actor may read: the check and the read in one snapshot. */
  async decideFor(
    actor: Actor,
    orgId: number,
    kind: ActionKind,
  ): Promise<AutomationDecisionAnswer> {
    const input = decideInput.parse({ organization_id: orgId, action_kind: kind });
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, input.organization_id);
      return this.decision(r, org.id, input.action_kind);
    });
  }
}
