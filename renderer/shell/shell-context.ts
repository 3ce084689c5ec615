import { createContext, useContext } from 'react';
import type { Permission } from '../../shared/permissions';
import type { Transport } from '../lib/client';
import type { Me } from '../lib/trpc';

export interface ShellContextValue {
  me: Me;
  /** Key for this user's recents and pins. */
  userKey: string;
  isAccountAdmin: boolean;
  /** Permissions held account-wide (e.g. settings.manage to create orgs). */
  accountPermissions: Permission[];
  transport: Transport;
  openSwitcher(): void;
}

export const ShellContext = createContext<ShellContextValue | null>(null);

export function useShell(): ShellContextValue {
  const value = useContext(ShellContext);
  if (!value) throw new Error('useShell outside the shell');
  return value;
}
