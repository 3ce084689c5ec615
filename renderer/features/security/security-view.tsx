import { ViewRoot } from '../../components/view-root';
import { useShell } from '../../shell/shell-context';
import { SecurityPanel } from './security-panel';

/** IDN-1: the signed-in user's second factor (and, for account admins, Require MFA). */
export function SecurityView() {
  const { isAccountAdmin } = useShell();
  return (
    <ViewRoot view="security" title="Security" ready>
      <SecurityPanel accountAdmin={isAccountAdmin} />
    </ViewRoot>
  );
}
