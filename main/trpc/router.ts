import { authRouter } from '../features/auth/auth.router';
import { hostsRouter } from '../features/hosts/hosts.router';
import { locationsRouter } from '../features/locations/locations.router';
import { organizationsRouter } from '../features/organizations/organizations.router';
import { usersRouter } from '../features/users/users.router';
import { router } from './trpc';

/** The console API: the same router over IPC (desktop) and HTTP (server, web console). */
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  organizations: organizationsRouter,
  locations: locationsRouter,
  hosts: hostsRouter,
});

export type AppRouter = typeof appRouter;
