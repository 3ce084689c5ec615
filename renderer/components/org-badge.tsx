// UI-15: the org's colour and initials beside its name (shared/org-color.ts decides both).
import { orgColorIndex, orgInitials } from '../../shared/org-color';
import './org-badge.css';

interface OrgLike {
  id: number;
  name: string;
}

/** The badge alone. Decorative: the org's name is always written beside it. */
export function OrgBadge({ org, large }: { org: OrgLike; large?: boolean }) {
  return (
    <span
      className={`org-badge org-color-${orgColorIndex(org.id)}${large ? ' org-badge-large' : ''}`}
      aria-hidden="true"
      data-org-color={orgColorIndex(org.id)}
    >
      {orgInitials(org.name)}
    </span>
  );
}

/** The org a destructive confirmation acts on, stated first: colour, initials and name. */
export function OrgTarget({ org, kind = 'Organization' }: { org: OrgLike; kind?: string }) {
  return (
    <div className={`org-target org-color-${orgColorIndex(org.id)}`} data-testid="org-target">
      <OrgBadge org={org} large />
      <span className="org-target-text">
        <span className="org-target-kind">{kind}</span>
        <span className="org-target-name">{org.name}</span>
      </span>
    </div>
  );
}

/** Several orgs at once (a bulk action): each with its badge. */
export function OrgTargetList({ orgs, label }: { orgs: OrgLike[]; label: string }) {
  return (
    <ul className="org-target-list" aria-label={label} data-testid="org-target-list">
      {orgs.map((o) => (
        <li key={o.id}>
          <OrgBadge org={o} />
          <span>{o.name}</span>
        </li>
      ))}
    </ul>
  );
}

/** An account-wide action (emergency disable): no single org, and it says so. */
export function AccountTarget({ detail }: { detail: string }) {
  return (
    <div className="org-target" data-testid="org-target">
      <span className="account-mark" aria-hidden="true">
        ◆
      </span>
      <span className="org-target-text">
        <span className="org-target-kind">Whole account</span>
        <span className="org-target-name">{detail}</span>
      </span>
    </div>
  );
}
