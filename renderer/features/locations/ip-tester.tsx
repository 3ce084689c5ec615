import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { parseIp } from '../../../shared/cidr';
import { Field } from '../../components/field';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';

/** LOC-3 tester: the same function that assigns registering agents answers here. */
export function IpTester({ orgId }: { orgId: number }) {
  const trpc = useTRPC();
  const headingId = useId();
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const result = useQuery({
    ...trpc.locations.resolve.queryOptions({ organization_id: orgId, ip: submitted ?? '' }),
    enabled: submitted !== null,
    retry: false,
  });
  const error = localError ?? (result.error ? errorMessage(result.error) : null);
  return (
    <section className="panel ip-tester" aria-labelledby={headingId}>
      <h2 id={headingId}>Which location would this IP land in?</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const ip = text.trim();
          if (!parseIp(ip)) {
            setLocalError(`"${ip}" is not an IPv4 or IPv6 address (e.g. 10.1.2.3 or 2001:db8::1)`);
            setSubmitted(null);
            return;
          }
          setLocalError(null);
          setSubmitted(ip);
          if (ip === submitted) void result.refetch();
        }}
      >
        <Field label="IP address" error={error}>
          <input
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="10.1.2.3"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
        <button type="submit" className="button button-secondary" disabled={result.isFetching}>
          {result.isFetching ? <span className="spinner" aria-hidden="true" /> : null}
          Test
        </button>
      </form>
      <p className="ip-result" role="status" data-testid="ip-result">
        {result.data && submitted && !error ? (
          <>
            <code>{submitted}</code> lands in <strong>{result.data.location_name}</strong>
            {result.data.matched_subnet ? (
              <>
                {' '}
                (matched <code>{result.data.matched_subnet}</code>, the longest prefix)
              </>
            ) : (
              <> (no subnet matched, so the default location)</>
            )}
          </>
        ) : (
          <span className="muted">Longest prefix wins; no match goes to the default location.</span>
        )}
      </p>
    </section>
  );
}
