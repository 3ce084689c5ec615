import { useMutation } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { copySecret, downloadText } from '../../lib/clipboard';
import { errorMessage } from '../../lib/errors';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';
import { RegenerateSecretDialog } from './regenerate-dialog';
import { useShell } from '../../shell/shell-context';

/** SEC-2: revealed text hides itself again after this long. */
export const REVEAL_MS = 30_000;

/** UI-5: reveal (audited, hides after 30 s), copy, regenerate, agent configuration download. */
export function SecretPanel({ org }: { org: OrgDetail }) {
  const { me } = useShell();
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const headingId = useId();
  const reasonId = useId();
  const reason = denyReason(me, org.permissions, 'organizations.edit');
  const [revealed, setRevealed] = useState<{ secret: string; until: number } | null>(null);
  const [regenerating, setRegenerating] = useState(false);
  const now = useTicker(revealed !== null);

  const reveal = useMutation(trpc.organizations.revealSecret.mutationOptions());
  const config = useMutation(trpc.organizations.agentConfig.mutationOptions());
  const copyAudited = useMutation(trpc.organizations.copySecret.mutationOptions());

  useEffect(() => {
    if (!revealed) return;
    const t = setTimeout(() => setRevealed(null), Math.max(0, revealed.until - Date.now()));
    return () => clearTimeout(t);
  }, [revealed]);

  const show = async () => {
    const { secret } = await reveal.mutateAsync({ id: org.id });
    setRevealed({ secret, until: Date.now() + REVEAL_MS });
  };
  const copy = async () => {
    // Every copy asks the server, shown or not: that call writes the "copied" audit entry the
    // hint below promises (SEC-2), and the value is never shown by copying.
    const { secret } = await copyAudited.mutateAsync({ id: org.id });
    await copySecret(secret, 'Organization secret');
  };
  const download = async () => {
    const file = await config.mutateAsync({ id: org.id });
    downloadText(file.filename, file.content);
    toast.success(
      `Saved ${file.filename}. It contains the secret: keep it as safe as the secret itself.`,
    );
  };
  const run = (action: () => Promise<void>) => () => {
    action().catch((e: unknown) => toast.error(errorMessage(e)));
  };

  const secondsLeft = revealed ? Math.max(0, Math.ceil((revealed.until - now) / 1000)) : 0;
  const guard = { disabled: Boolean(reason), 'aria-describedby': reason ? reasonId : undefined };

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Agent enrollment</h2>
      <p className="muted">
        Agents register with the organization secret. Go agents then authenticate with their own
        key; legacy agents send the secret on every request.
      </p>
      {reason ? (
        <p id={reasonId} className="disabled-reason block">
          {reason}
        </p>
      ) : null}
      <div className="secret-row" role="group" aria-labelledby={`${headingId}-secret`}>
        <span className="secret-label" id={`${headingId}-secret`}>
          Organization secret
        </span>
        {revealed ? (
          <code className="secret-value" data-testid="secret-value">
            {revealed.secret}
          </code>
        ) : (
          <span className="secret-value secret-masked" data-testid="secret-masked">
            <span aria-hidden="true">••••••••••••••••••••••••</span>
            <span className="visually-hidden">hidden</span>
          </span>
        )}
        <span className="secret-timer" aria-live="polite">
          {revealed ? `Hides in ${secondsLeft} s` : ''}
        </span>
      </div>
      <div className="button-row">
        {revealed ? (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setRevealed(null)}
          >
            Hide secret
          </button>
        ) : (
          <button
            type="button"
            className="button button-secondary"
            {...guard}
            disabled={guard.disabled || reveal.isPending}
            onClick={run(show)}
          >
            Reveal secret
          </button>
        )}
        <button
          type="button"
          className="button button-secondary"
          {...guard}
          disabled={guard.disabled || copyAudited.isPending}
          onClick={run(copy)}
        >
          Copy secret
        </button>
        <button
          type="button"
          className="button button-secondary"
          {...guard}
          disabled={guard.disabled || config.isPending}
          onClick={run(download)}
        >
          Download agent configuration
        </button>
        <button
          type="button"
          className="button button-danger-outline"
          {...guard}
          onClick={() => setRegenerating(true)}
        >
          Regenerate secret…
        </button>
      </div>
      <p className="field-hint">Every reveal, copy and download is recorded in the audit trail.</p>
      <RegenerateSecretDialog
        org={org}
        open={regenerating}
        onClose={() => setRegenerating(false)}
        onRegenerated={() => {
          setRevealed(null);
          // The rollover panel and the legacy count follow the new generation (SEC-3).
          void invalidate('organizations');
        }}
      />
    </section>
  );
}

/** Date.now() once a second while `active`, for the countdown. */
function useTicker(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}
