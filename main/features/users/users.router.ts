import { authedProcedure, router } from '../../trpc/trpc';
import {
  createUserInput,
  setRolesInput,
  updateUserInput,
} from '../../../shared/schemas/users.schema';

export const usersRouter = router({
  me: authedProcedure.query(({ ctx }) => ctx.services.users.me(ctx.actor)),
  list: authedProcedure.query(({ ctx }) => ctx.services.users.list(ctx.actor)),
  create: authedProcedure
    .input(createUserInput)
    .mutation(({ ctx, input }) => ctx.services.users.create(ctx.actor, input)),
  update: authedProcedure
    .input(updateUserInput)
    .mutation(({ ctx, input }) => ctx.services.users.update(ctx.actor, input)),
  setRoles: authedProcedure
    .input(setRolesInput)
    .mutation(({ ctx, input }) => ctx.services.users.setRoles(ctx.actor, input)),
});
