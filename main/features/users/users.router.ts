import { authedProcedure, router } from '../../trpc/trpc';
import { orgIdInput } from '../../../shared/schemas/organizations.schema';
import {
  createUserInput,
  revokedSessionsOutput,
  setRolesInput,
  updateUserInput,
  userListOutput,
  userOutput,
} from '../../../shared/schemas/users.schema';

export const usersRouter = router({
  me: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/users/me',
        summary: 'The caller: user, roles and permissions',
      },
      duringEnrolment: true,
      output: userOutput,
    })
    .query(({ ctx }) => ctx.services.users.me(ctx.actor)),
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/users',
        summary: 'The users of the account with their roles (TEN-6)',
      },
      output: userListOutput,
    })
    .query(({ ctx }) => ctx.services.users.list(ctx.actor)),
  create: authedProcedure
    .meta({
      rest: { method: 'POST', path: '/users', status: 201, summary: 'Create a user (TEN-6)' },
      output: userOutput,
    })
    .input(createUserInput)
    .mutation(({ ctx, input }) => ctx.services.users.create(ctx.actor, input)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/users/:id',
        body: 'patch',
        summary: 'Change a user: name, password, active, support engineer',
      },
      output: userOutput,
    })
    .input(updateUserInput)
    .mutation(({ ctx, input }) => ctx.services.users.update(ctx.actor, input)),
  setRoles: authedProcedure
    .meta({
      rest: {
        method: 'PUT',
        path: '/users/:id/roles',
        summary: 'Replace the roles of a user, per organization or account-wide',
      },
      stepUp: true,
      output: userOutput,
    })
    .input(setRolesInput)
    .mutation(({ ctx, input }) => ctx.services.users.setRoles(ctx.actor, input)),

  signOutEverywhere: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/users/:id/sign-out',
        summary: 'End every session of a user of the account (IDN-5); personal tokens stay',
      },
      output: revokedSessionsOutput,
    })
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.users.signOutEverywhere(ctx.actor, input.id)),
});
