import { Component as ReactComponent, Suspense, type ReactNode } from 'react';
import { ErrorState } from '../../components/view-root';
import { lazyView } from '../../shell/views';

// Console load: the panel (with its QR code renderer) is a chunk of its own, fetched only when
// the gate shows: index.html asks for, and the build's compile hint compiles whole, every module
// the console proper imports, on every load of every user.
const SecurityPanel = lazyView(() => import('./security-panel').then((m) => m.SecurityPanel));

/** A panel chunk that did not arrive (the network, a new build): say so, and try again. */
class PanelBoundary extends ReactComponent<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <ErrorState
        error="The second-factor setup could not be loaded; check the connection and try again."
        onRetry={() => this.setState({ failed: false })}
      />
    );
  }
}

/**
 * IDN-1: the account requires a second factor and this user has none: enrolment is the only
 * screen (the server refuses every other call with MFA_ENROLMENT_REQUIRED anyway).
 */
export function EnrolmentGate({
  accountAdmin,
  onSignOut,
}: {
  accountAdmin: boolean;
  onSignOut(): void;
}) {
  return (
    <main className="signin" data-view="mfa-enrolment" data-state="ready">
      <div className="signin-card">
        <h1>Set up a second factor</h1>
        <PanelBoundary>
          <Suspense
            fallback={
              <p aria-busy="true">
                <span className="spinner" aria-hidden="true" /> Loading…
              </p>
            }
          >
            <SecurityPanel accountAdmin={accountAdmin} />
          </Suspense>
        </PanelBoundary>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </main>
  );
}
