import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REGION_LENGTH,
} from '../../../shared/constants';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';
import { SaveBar, SettingsSection } from './settings-section';
import { useShell } from '../../shell/shell-context';

export function GeneralSection({ org }: { org: OrgDetail }) {
  const { me } = useShell();
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const regionListId = useId();
  const reason = denyReason(me, org.permissions, 'settings.manage');
  const regions = useQuery(trpc.organizations.regions.queryOptions());
  const initial = { name: org.name, description: org.description ?? '', region: org.region ?? '' };
  const [draft, setDraft] = useState(initial);
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: () => {
        void invalidate('organizations');
        toast.success('General settings saved.');
      },
    }),
  );
  const patch = {
    ...(draft.name !== initial.name ? { name: draft.name } : {}),
    ...(draft.description !== initial.description
      ? { description: draft.description || null }
      : {}),
    ...(draft.region !== initial.region ? { region: draft.region || null } : {}),
  };
  const dirty = Object.keys(patch).length > 0;
  const err = update.error;
  const errors = {
    name: fieldError(err, 'name'),
    description: fieldError(err, 'description'),
    region: fieldError(err, 'region'),
  };
  return (
    <SettingsSection
      title="General"
      reason={reason}
      onSubmit={() => dirty && update.mutate({ id: org.id, patch })}
      footer={
        <>
          <FormError
            error={
              err && !errors.name && !errors.description && !errors.region
                ? errorMessage(err)
                : null
            }
          />
          <SaveBar
            label="General settings"
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
      <div className="form-grid">
        <Field label="Name" error={errors.name}>
          <input
            type="text"
            required
            maxLength={MAX_NAME_LENGTH}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </Field>
        <Field label="Region" aside="optional" error={errors.region}>
          <input
            type="text"
            list={regionListId}
            maxLength={MAX_REGION_LENGTH}
            value={draft.region}
            onChange={(e) => setDraft({ ...draft, region: e.target.value })}
          />
        </Field>
        <datalist id={regionListId}>
          {(regions.data ?? []).map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        <Field label="Description" aside="optional" error={errors.description} className="span-2">
          <textarea
            rows={2}
            maxLength={MAX_DESCRIPTION_LENGTH}
            value={draft.description}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
          />
        </Field>
      </div>
    </SettingsSection>
  );
}
