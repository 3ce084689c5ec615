// How this window reaches its data, apart from the console's client (lib/client.ts): the early
// boot (shell/early-boot.ts) sends the first calls with these alone, so the entry that holds it
// stays small and the calls leave as soon as it has run (the client's batch link and step-up,
// with its passkey ceremony, are app-main's).

export type Transport = 'ipc' | 'http';

export const TRPC_URL = '/trpc';

export const authHeaders = (token: string | null): Record<string, string> =>
  token ? { Authorization: `Bearer ${token}` } : {};
