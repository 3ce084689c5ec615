import { eq } from 'drizzle-orm';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import { notFound } from '../../core/errors';
import type { Db } from '../../db/database';
import { organizations } from '../../db/schema';
import { decide, explainDecision, type ActionKind } from '../../../shared/automation';
import {
  decideInput,
  type AutomationDecisionAnswer,
} from '../../../shared/schemas/automation.schema';

export interface AutomationDeps {
  db: Db;
  access: SyncAccess;
}

/**
 * AUT-1/AUT-2 for callers: reads the org's level and kill switch fresh and applies the one pure
 * decision function. Level and kill switch themselves change through organizations.update
 * (permission organizations.edit, audited as organization.updated).
 */
export class AutomationService {
  constructor(private readonly d: AutomationDeps) {}

  /** For engines running without a user (they hold the org id already, no access check). */
  decideForOrg(orgId: number, kind: ActionKind): AutomationDecisionAnswer {
    const org = this.d.db
      .select({
        level: organizations.automationLevel,
        killSwitch: organizations.killSwitch,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get();
    if (!org) throw notFound('Organization', orgId);
    return {
      organization_id: orgId,
      action_kind: kind,
      automation_level: org.level,
      kill_switch: org.killSwitch,
      decision: decide(org.level, org.killSwitch, kind),
      reason: explainDecision(org.level, org.killSwitch, kind),
    };
  }

  /** The decision for an org the actor may read. */
  decideFor(actor: Actor, orgId: number, kind: ActionKind): AutomationDecisionAnswer {
    const input = decideInput.parse({ organization_id: orgId, action_kind: kind });
    const org = this.d.access.requireOrg(actor, input.organization_id);
    return this.decideForOrg(org.id, input.action_kind);
  }
}
