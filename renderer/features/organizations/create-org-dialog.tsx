import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REGION_LENGTH,
} from '../../../shared/constants';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC, type RouterOutputs } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { useNavigation } from '../../shell/navigation';
import { confirmDiscard, useUnsavedChanges } from '../../shell/unsaved';
import { SecretOnce } from '../secrets/secret-once';

type Created = RouterOutputs['organizations']['create'];

/** UI-3 create: name, description, region; then the secret, shown this once. */
export function CreateOrgDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [created, setCreated] = useState<Created | null>(null);
  // What is typed into the form is asked about before the dialog drops it (UI-16).
  const scope = useId();
  const close = async () => {
    if (!(await confirmDiscard(scope))) return;
    // Dropping the created org drops its secret from memory with it.
    setCreated(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={() => void close()}
      title={created ? 'Organization created' : 'New organization'}
      size="medium"
    >
      {created ? (
        <CreatedStep created={created} onClose={() => void close()} />
      ) : (
        <CreateForm scope={scope} onCreated={setCreated} onCancel={() => void close()} />
      )}
    </Dialog>
  );
}

function CreateForm({
  scope,
  onCreated,
  onCancel,
}: {
  scope: string;
  onCreated(c: Created): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const regionListId = useId();
  // The known regions, as suggestions (already in the cache: the list's region filter asked).
  const regions = useQuery(trpc.organizations.regions.queryOptions()).data ?? [];
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [region, setRegion] = useState('');
  useUnsavedChanges(
    Boolean(name.trim() || description.trim() || region.trim()),
    'the new organization',
    scope,
  );
  const create = useMutation(
    trpc.organizations.create.mutationOptions({
      onSuccess: (c) => {
        void invalidate('organizations');
        onCreated(c);
      },
    }),
  );
  const err = create.error;
  const nameError = fieldError(err, 'name');
  const descriptionError = fieldError(err, 'description');
  const regionError = fieldError(err, 'region');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name, description: description || null, region: region || null });
      }}
    >
      <Field
        label="Name"
        error={nameError}
        hint={`1–${MAX_NAME_LENGTH} characters, unique in the account (ignoring case).`}
      >
        <input
          type="text"
          required
          maxLength={MAX_NAME_LENGTH}
          value={name}
          data-autofocus
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <Field label="Description" aside="optional" error={descriptionError}>
        <textarea
          rows={2}
          maxLength={MAX_DESCRIPTION_LENGTH}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      <Field
        label="Region"
        aside="optional"
        error={regionError}
        hint="Pick an existing region or type a new one."
      >
        <input
          type="text"
          list={regionListId}
          maxLength={MAX_REGION_LENGTH}
          value={region}
          onChange={(e) => setRegion(e.target.value)}
        />
      </Field>
      <datalist id={regionListId}>
        {regions.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <FormError
        error={err && !nameError && !descriptionError && !regionError ? errorMessage(err) : null}
      />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending}
          aria-busy={create.isPending || undefined}
        >
          {create.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Create organization
        </button>
      </div>
    </form>
  );
}

function CreatedStep({ created, onClose }: { created: Created; onClose(): void }) {
  const { openOrg } = useNavigation();
  return (
    <div className="created-step">
      <p>
        <strong>{created.name}</strong> is ready.
      </p>
      <div className="callout callout-info">
        A <strong>Default</strong> location was created with it (time zone UTC, no subnets). Hosts
        whose address matches no subnet of this organization land there; add locations and subnets
        in <em>Locations</em>.
      </div>
      <SecretOnce
        secret={created.secret}
        label="Organization secret"
        note="Shown only this once. Copy it now for your agent installers; later, account admins and the org’s admins can reveal it again (each reveal is audited)."
      />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Done
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            void openOrg(created.id, 'overview');
            onClose();
          }}
        >
          Open {created.name}
        </button>
      </div>
    </div>
  );
}
