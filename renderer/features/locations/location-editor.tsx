import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { MAX_NAME_LENGTH } from '../../../shared/constants';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Field, FormError } from '../../components/field';
import { OrgTarget } from '../../components/org-badge';
import { Skeleton } from '../../components/view-root';
import { useEditorFocus } from '../../components/use-editor-focus';
import { errorMessage, fieldError, fieldIndex } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { useUnsavedChanges } from '../../shell/unsaved';
import { toast } from '../../stores/toast-store';
import { SubnetChips, checkSubnet, type ParsedEntry } from './subnet-chips';
import { TimezoneField, canonicalZone } from './timezone-field';

type Location = RouterOutputs['locations']['list'][number];

type Deletion = RouterOutputs['locations']['delete'];

interface LocationEditorProps {
  /** The org the location belongs to: named, with its colour, in the delete confirmation. */
  org: { id: number; name: string };
  /** null: a new location. */
  location: Location | null;
  canManage: boolean;
  /** The scope its unsaved edits are registered under (the view asks before replacing it). */
  scope: string;
  onDone(savedId: number | null): void;
}

/** UI-4 editor: name, subnets as validated chips, IANA zone with its clock, default flag. */
export function LocationEditor({ org, location, canManage, scope, onDone }: LocationEditorProps) {
  const orgId = org.id;
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const headingId = useId();
  const [name, setName] = useState(location?.name ?? '');
  const [subnets, setSubnets] = useState<string[]>(location?.subnets ?? []);
  const [pending, setPending] = useState('');
  const [timezone, setTimezone] = useState(location?.timezone ?? 'UTC');
  const [isDefault, setIsDefault] = useState(location?.is_default ?? false);
  const [chipError, setChipError] = useState<(ParsedEntry & { ok: false }) | null>(null);
  const [tzError, setTzError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const panel = useEditorFocus<HTMLElement>();
  const dirty =
    name !== (location?.name ?? '') ||
    subnets.join(' ') !== (location?.subnets ?? []).join(' ') ||
    pending.trim() !== '' ||
    timezone !== (location?.timezone ?? 'UTC') ||
    isDefault !== (location?.is_default ?? false);
  const confirmClose = useUnsavedChanges(
    dirty && canManage,
    location ? `the location ${location.name}` : 'the new location',
    scope,
  );

  const onSaved = (saved: Location & { hosts_reassigned: number }) => {
    void invalidate('locations', 'organizations', 'hosts');
    toast.success(
      `Saved ${saved.name}.${saved.hosts_reassigned > 0 ? ` ${plural(saved.hosts_reassigned, 'host')} moved to match the new subnets.` : ''}`,
    );
    onDone(saved.id);
  };
  const create = useMutation(trpc.locations.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.locations.update.mutationOptions({ onSuccess: onSaved }));
  const remove = useMutation(
    trpc.locations.delete.mutationOptions({
      onSuccess: (r) => {
        void invalidate('locations', 'organizations', 'hosts');
        toast.success(`Deleted ${location?.name ?? 'the location'}. ${movesSentence(r)}`);
        setConfirmDelete(false);
        onDone(null);
      },
    }),
  );
  const save = location ? update : create;
  const err = save.error;
  const serverSubnetIndex = fieldIndex(err, 'subnets');
  const subnetsError = chipError ? `${chipError.error}` : fieldError(err, 'subnets');
  const nameError = fieldError(err, 'name');
  const timezoneError = tzError ?? fieldError(err, 'timezone');
  const otherError =
    err && !subnetsError && !nameError && !timezoneError && !fieldError(err, 'is_default')
      ? errorMessage(err)
      : (fieldError(err, 'is_default') ?? null);

  const submit = () => {
    save.reset();
    let all = subnets;
    if (pending.trim()) {
      // A subnet typed but not yet added counts: add it, or stop on its error.
      const entry = checkSubnet(pending, subnets);
      if (!entry.ok) {
        setChipError(entry);
        return;
      }
      all = [...subnets, entry.cidr];
      setSubnets(all);
      setPending('');
    }
    const tz = timezone.trim() === '' ? 'UTC' : canonicalZone(timezone.trim());
    if (!tz) {
      setTzError(
        `"${timezone}" is not an IANA time zone; pick one from the list, e.g. Europe/Berlin`,
      );
      return;
    }
    setChipError(null);
    setTzError(null);
    if (location) {
      update.mutate({
        id: location.id,
        patch: {
          ...(name !== location.name ? { name } : {}),
          subnets: all,
          timezone: tz,
          ...(isDefault && !location.is_default ? { is_default: true as const } : {}),
        },
      });
    } else {
      create.mutate({
        organization_id: orgId,
        name,
        subnets: all,
        timezone: tz,
        is_default: isDefault,
      });
    }
  };

  return (
    <section
      ref={panel}
      className="panel editor"
      aria-labelledby={headingId}
      data-testid="location-editor"
    >
      <header className="section-header">
        <h2 id={headingId}>{location ? `Edit ${location.name}` : 'New location'}</h2>
      </header>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <fieldset className="bare-fieldset" disabled={!canManage}>
          <legend className="visually-hidden">Location</legend>
          <Field label="Name" error={nameError}>
            <input
              type="text"
              required
              maxLength={MAX_NAME_LENGTH}
              value={name}
              data-autofocus
              onChange={(e) => setName(e.target.value)}
            />
          </Field>
          <Field
            label="Subnets"
            error={subnetsError}
            hint="CIDR networks, IPv4 or IPv6. Press Enter or comma to add. The longest prefix across all locations wins."
          >
            <SubnetChips
              value={subnets}
              onChange={(next) => {
                setSubnets(next);
                if (serverSubnetIndex !== null) save.reset();
              }}
              text={pending}
              onTextChange={setPending}
              invalidIndex={chipError ? null : serverSubnetIndex}
              onError={(e) => setChipError(e && !e.ok ? e : null)}
            />
          </Field>
          {chipError?.suggestion ? (
            <button
              type="button"
              className="link-button suggestion"
              onClick={() => {
                setPending(chipError.suggestion ?? '');
                setChipError(null);
              }}
            >
              Use {chipError.suggestion} instead
            </button>
          ) : null}
          <Field label="Time zone" error={timezoneError} hint="IANA name; UTC when empty.">
            <TimezoneField
              value={timezone}
              onChange={(v) => {
                setTimezone(v);
                setTzError(null);
              }}
            />
          </Field>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={isDefault}
              disabled={location?.is_default}
              onChange={(e) => setIsDefault(e.target.checked)}
            />
            <span>
              Default location
              <span className="radio-hint">
                {location?.is_default
                  ? 'Hosts that match no subnet land here. To change the default, make another location the default.'
                  : 'Hosts that match no subnet land in the default location; there is exactly one.'}
              </span>
            </span>
          </label>
        </fieldset>
        <FormError error={otherError} />
        <div className="form-actions">
          {location && !location.is_default && canManage ? (
            <button
              type="button"
              className="button button-danger-outline push-left"
              onClick={() => {
                remove.reset();
                setConfirmDelete(true);
              }}
            >
              Delete…
            </button>
          ) : null}
          <button
            type="button"
            className="button button-secondary"
            onClick={() =>
              void confirmClose().then((discard) => discard && onDone(location?.id ?? null))
            }
          >
            {canManage ? 'Cancel' : 'Close'}
          </button>
          {canManage ? (
            <button
              type="submit"
              className="button button-primary"
              disabled={save.isPending}
              aria-busy={save.isPending || undefined}
            >
              {save.isPending ? <span className="spinner" aria-hidden="true" /> : null}
              {location ? 'Save location' : 'Create location'}
            </button>
          ) : null}
        </div>
      </form>
      {location ? (
        <ConfirmDialog
          open={confirmDelete}
          title={`Delete ${location.name}?`}
          confirmLabel="Delete location"
          tone="danger"
          busy={remove.isPending}
          error={remove.error ? errorMessage(remove.error) : null}
          onClose={() => setConfirmDelete(false)}
          onConfirm={() => remove.mutate({ id: location.id })}
          target={<OrgTarget org={org} />}
        >
          <DeletePreview locationId={location.id} />
          <p>Its subnets are removed with it.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

const movesText = (r: Deletion): string[] =>
  r.moves.map((m) => `${plural(m.hosts, 'host')} to ${m.location_name}`);

/** LOC-4's answer in one sentence: how many hosts went where. */
function movesSentence(r: Deletion): string {
  if (r.hosts_moved === 0) return 'No hosts had to move.';
  const pinned =
    r.pinned_hosts > 0 ? ` (${plural(r.pinned_hosts, 'pinned host')} kept pinned)` : '';
  const where = r.moves.map((m) => `${m.hosts} to ${m.location_name}`).join(', ');
  return `${plural(r.hosts_moved, 'host')} moved: ${where}${pinned}.`;
}

/** LOC-4: the server's own plan for this delete, asked when the confirmation opens. */
function DeletePreview({ locationId }: { locationId: number }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.locations.deletePreview.queryOptions({ id: locationId }));
  if (preview.error) return <p className="form-error">{errorMessage(preview.error)}</p>;
  if (!preview.data) return <Skeleton width="70%" />;
  const r = preview.data;
  if (r.hosts_moved === 0) return <p>It has no hosts.</p>;
  return (
    <div data-testid="delete-preview">
      <p>
        Its {plural(r.hosts_moved, 'host')} move where their IP resolves without it, else to the
        default location
        {r.pinned_hosts > 0
          ? `; ${plural(r.pinned_hosts, 'pinned host')} go to the default and stay pinned`
          : ''}
        :
      </p>
      <ul aria-label="Where its hosts go">
        {movesText(r).map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
    </div>
  );
}
