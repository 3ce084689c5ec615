// EXP-1: this installation's export key (to give to reviewers, who pin it) and the signer keys
// pinned on this computer. A file signed by any other key is an "unknown signer", never trusted.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { toast } from '../../stores/toast-store';
import { desktopApi, desktopKeys } from './desktop-api';

async function copy(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast.success(`${what} copied.`);
  } catch {
    toast.error(`${what} could not be copied: select it and copy it yourself.`);
  }
}

export function useSigners() {
  return useQuery({
    queryKey: desktopKeys.signers,
    queryFn: () => desktopApi().signers.list.query(),
  });
}

function usePin(onDone?: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { public_key: string; label: string }) =>
      desktopApi().signers.pin.mutate(input),
    onSuccess: (pinned) => {
      toast.success(`Pinned ${pinned.label}: its exports are trusted on this computer.`);
      void queryClient.invalidateQueries({ queryKey: ['desktop'] });
      onDone?.();
    },
  });
}

export function SignersPanel() {
  const signers = useSigners();
  const queryClient = useQueryClient();
  const unpin = useMutation({
    mutationFn: (fingerprint: string) => desktopApi().signers.unpin.mutate({ fingerprint }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['desktop'] }),
  });
  const [publicKey, setPublicKey] = useState('');
  const [label, setLabel] = useState('');
  const pin = usePin(() => {
    setPublicKey('');
    setLabel('');
  });
  const own = signers.data?.own;
  return (
    <section className="panel" aria-labelledby="signers-heading">
      <h2 id="signers-heading">Export signatures</h2>
      <p>
        Every export is signed with this installation&apos;s export key. Give its public key to
        whoever reviews your exports; they compare the fingerprint with you and pin it.
      </p>
      {own ? (
        <dl className="signer-key" aria-label="This installation's export key">
          <dt>Installation</dt>
          <dd>{own.label}</dd>
          <dt>Fingerprint</dt>
          <dd>
            <code data-testid="own-fingerprint">{own.fingerprint}</code>{' '}
            <button
              type="button"
              className="button button-secondary signer-button"
              onClick={() => void copy(own.fingerprint, 'Fingerprint')}
            >
              Copy fingerprint
            </button>
          </dd>
          <dt>Public key</dt>
          <dd>
            <code>{own.public_key}</code>{' '}
            <button
              type="button"
              className="button button-secondary signer-button"
              onClick={() => void copy(own.public_key, 'Public key')}
            >
              Copy public key
            </button>
          </dd>
        </dl>
      ) : null}
      <h3>Pinned signers</h3>
      {signers.data && signers.data.pinned.length === 0 ? (
        <p className="muted">None: only this installation&apos;s exports are trusted.</p>
      ) : (
        <ul className="pinned-signers" aria-label="Pinned signers">
          {signers.data?.pinned.map((s) => (
            <li key={s.fingerprint}>
              <strong>{s.label}</strong> <code>{s.fingerprint}</code>{' '}
              <button
                type="button"
                className="button button-secondary signer-button"
                disabled={unpin.isPending}
                onClick={() => unpin.mutate(s.fingerprint)}
              >
                Unpin
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={unpin.error ? errorMessage(unpin.error) : null} />
      <form
        className="pin-form"
        onSubmit={(e) => {
          e.preventDefault();
          pin.mutate({ public_key: publicKey, label });
        }}
      >
        <Field
          label="Public key to pin"
          hint="The other installation's export public key (44 characters); check its fingerprint with its owner."
          error={pin.error ? fieldError(pin.error, 'public_key') : null}
        >
          <input
            value={publicKey}
            onChange={(e) => setPublicKey(e.target.value)}
            spellCheck={false}
          />
        </Field>
        <Field label="Name" error={pin.error ? fieldError(pin.error, 'label') : null}>
          <input value={label} onChange={(e) => setLabel(e.target.value)} />
        </Field>
        <button type="submit" className="button button-secondary" disabled={pin.isPending}>
          Pin signer
        </button>
      </form>
    </section>
  );
}

/** From a review of a file by an unknown signer: pin exactly that key, under a name. */
export function PinSignerDialog(props: {
  open: boolean;
  onClose(): void;
  publicKey: string;
  fingerprint: string;
  claimedLabel: string;
}) {
  const [label, setLabel] = useState(props.claimedLabel);
  const pin = usePin(props.onClose);
  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      title="Pin this signer"
      size="small"
      description={
        <p>
          Pin only after comparing this fingerprint with the signer&apos;s own (their Export and
          review screen, or <code>GET /api/v1/export-key</code>): the file&apos;s name for itself
          proves nothing.
        </p>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          pin.mutate({ public_key: props.publicKey, label });
        }}
      >
        <p>
          Fingerprint <code>{props.fingerprint}</code>
        </p>
        <Field label="Name" error={pin.error ? fieldError(pin.error, 'label') : null}>
          <input value={label} onChange={(e) => setLabel(e.target.value)} />
        </Field>
        <FormError
          error={pin.error && !fieldError(pin.error, 'label') ? errorMessage(pin.error) : null}
        />
        <div className="form-actions">
          <button type="button" className="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={pin.isPending}>
            Pin signer
          </button>
        </div>
      </form>
    </Dialog>
  );
}
