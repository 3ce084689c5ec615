import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { AUTOMATION_LEVELS, MAJOR_INCIDENT_MIN_HOSTS } from '../../../shared/constants';
import type { AutomationLevel } from '../../../shared/schemas/organizations.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { AUTOMATION_EXPLANATIONS, AUTOMATION_LABELS } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';
import { SaveBar, SettingsSection } from './settings-section';
import { useShell } from '../../shell/shell-context';

/** AUT-1 level, AUT-3 major-incident workflow, AUT-2 kill switch. */
export function AutomationSection({ org }: { org: OrgDetail }) {
  const { me } = useShell();
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const reason = denyReason(me, org.permissions, 'organizations.edit');
  const idBase = useId();
  const workflows = useQuery(
    trpc.workflows.list.queryOptions({ organization_id: org.id, active_only: true }),
  );
  const initial = { level: org.automation_level, workflow: org.major_incident_workflow_id };
  const [draft, setDraft] = useState(initial);
  const [killConfirm, setKillConfirm] = useState(false);

  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: () => {
        void invalidate('organizations', 'workflows');
        toast.success('Automation settings saved.');
      },
    }),
  );
  const kill = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: (o) => {
        void invalidate('organizations');
        setKillConfirm(false);
        toast.success(
          o.kill_switch ? 'Kill switch is on: nothing automatic runs.' : 'Kill switch is off.',
        );
      },
    }),
  );

  const patch = {
    ...(draft.level !== initial.level ? { automation_level: draft.level } : {}),
    ...(draft.workflow !== initial.workflow ? { major_incident_workflow_id: draft.workflow } : {}),
  };
  const dirty = Object.keys(patch).length > 0;
  const err = update.error;
  const workflowError = fieldError(err, 'major_incident_workflow_id');
  const options = workflows.data ?? [];
  // A bound workflow is always active (deactivating clears the binding), but show it regardless.
  const boundMissing = draft.workflow !== null && !options.some((w) => w.id === draft.workflow);

  return (
    <SettingsSection
      title="Automation"
      reason={reason}
      description="How much runs without a person approving it."
      onSubmit={() => dirty && update.mutate({ id: org.id, patch })}
      footer={
        <>
          <FormError error={err && !workflowError ? errorMessage(err) : null} />
          <SaveBar
            label="Automation settings"
            dirty={dirty}
            busy={update.isPending}
            disabled={Boolean(reason)}
            onReset={() => {
              setDraft(initial);
              update.reset();
            }}
          />
        </>
      }
    >
      <fieldset className="radio-group radio-cards">
        <legend>Automation level</legend>
        {AUTOMATION_LEVELS.map((level: AutomationLevel) => (
          <label key={level} className="radio radio-card">
            <input
              type="radio"
              name={`${idBase}-level`}
              value={level}
              checked={draft.level === level}
              aria-describedby={`${idBase}-${level}`}
              onChange={() => setDraft({ ...draft, level })}
            />
            <span>
              <span className="radio-title">{AUTOMATION_LABELS[level]}</span>
              <span id={`${idBase}-${level}`} className="radio-hint">
                {AUTOMATION_EXPLANATIONS[level]}
              </span>
            </span>
          </label>
        ))}
      </fieldset>

      <Field
        label="Major-incident workflow"
        error={workflowError}
        hint={
          workflows.isSuccess && options.length === 0
            ? `Runs when a P1 incident affects ${MAJOR_INCIDENT_MIN_HOSTS} or more hosts of this organization. This organization has no active workflow definitions yet.`
            : `Runs when a P1 incident affects ${MAJOR_INCIDENT_MIN_HOSTS} or more hosts of this organization. Only active workflows can be bound.`
        }
      >
        <select
          value={draft.workflow ?? ''}
          onChange={(e) =>
            setDraft({ ...draft, workflow: e.target.value === '' ? null : Number(e.target.value) })
          }
        >
          <option value="">None (disabled)</option>
          {boundMissing ? (
            <option value={draft.workflow ?? ''}>Workflow #{draft.workflow}</option>
          ) : null}
          {options.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </Field>

      <div className="kill-switch">
        <div>
          <div className="kill-switch-title" id={`${idBase}-kill`}>
            Kill switch
          </div>
          <div className="field-hint" id={`${idBase}-kill-hint`}>
            While on, nothing automatic runs for this organization, whatever the level.
          </div>
        </div>
        <button
          type="button"
          role="switch"
          className={`switch${org.kill_switch ? ' is-on' : ''}`}
          aria-checked={org.kill_switch}
          aria-labelledby={`${idBase}-kill`}
          aria-describedby={`${idBase}-kill-hint`}
          onClick={() => {
            kill.reset();
            setKillConfirm(true);
          }}
        >
          <span className="switch-thumb" aria-hidden="true" />
          <span className="switch-text" aria-hidden="true">
            {org.kill_switch ? 'On' : 'Off'}
          </span>
        </button>
      </div>

      <ConfirmDialog
        open={killConfirm}
        title={org.kill_switch ? 'Turn the kill switch off?' : 'Turn the kill switch on?'}
        confirmLabel={org.kill_switch ? 'Turn off' : 'Turn on'}
        tone={org.kill_switch ? 'primary' : 'danger'}
        busy={kill.isPending}
        error={kill.error ? errorMessage(kill.error) : null}
        onClose={() => setKillConfirm(false)}
        onConfirm={() => kill.mutate({ id: org.id, patch: { kill_switch: !org.kill_switch } })}
      >
        {org.kill_switch ? (
          <p>
            Automatic actions for <strong>{org.name}</strong> resume at the{' '}
            <strong>{AUTOMATION_LABELS[org.automation_level]}</strong> level:{' '}
            {AUTOMATION_EXPLANATIONS[org.automation_level]}
          </p>
        ) : (
          <p>
            Nothing automatic will run for <strong>{org.name}</strong> until it is turned off again:
            no automatic approvals, deployments or major-incident workflows.
          </p>
        )}
      </ConfirmDialog>
    </SettingsSection>
  );
}
