import { ViewRoot } from '../../components/view-root';
import type { OrgViewProps } from '../../shell/views';
import { AutomationSection } from './automation-section';
import { GeneralSection } from './general-section';
import { GovernanceSection } from './governance-section';
import { LifecycleSection } from './lifecycle-section';
import { OrgStatusBanner } from './org-status-banner';

/** UI-3 editor: every ORG-4 field in sections saved on their own, then the ORG-5 flows. */
export function OrgSettingsView({ org }: OrgViewProps) {
  return (
    <ViewRoot view="settings" title="Settings" ready subtitle={org.name}>
      <OrgStatusBanner org={org} />
      <div className="settings-stack">
        <GeneralSection org={org} />
        <AutomationSection org={org} />
        <GovernanceSection org={org} />
        <LifecycleSection org={org} />
      </div>
    </ViewRoot>
  );
}
