import { SecurityPanel } from './security-panel';

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
        <SecurityPanel accountAdmin={accountAdmin} />
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </main>
  );
}
