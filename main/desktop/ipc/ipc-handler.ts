// The main-process half of tRPC over IPC (the renderer half is shared/ipc-link.ts). Pure Node:
// main/electron passes each message and its sender here. Order matters: the sender is checked
// first, then the message is validated, and only then is a context created and the procedure run.
// Errors leave as tRPC's own error shape, built by the router's error formatter, so the console
// sees the same code, message and data.field as over HTTP.
import {
  TRPCError,
  callTRPCProcedure,
  getTRPCErrorShape,
  type AnyTRPCRouter,
  type inferRouterContext,
} from '@trpc/server';
import {
  ipcRequestSchema,
  type IpcErrorShape,
  type IpcRequest,
  type IpcResponse,
} from '../../../shared/ipc-protocol';
import { toTRPCError } from '../../trpc/trpc';
import { checkSender, type SenderInfo, type SenderVerdict } from './sender';

export interface IpcHandlerOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** Runs only for a trusted sender and a valid message. */
  createContext(opts: {
    sender: SenderInfo;
    request: IpcRequest;
  }): inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  /**
   * A call this returns a reply for is not run here: main uses it to forward the window's calls
   * to a remote Orgdesk server. Runs after the sender check and validation, like createContext.
   */
  forward?(request: IpcRequest, sender: SenderInfo): Promise<IpcResponse> | null;
  /** Defaults to checkSender: the top frame of an app page. */
  checkSender?(sender: SenderInfo): SenderVerdict;
  /** Told about every error (for the log); never given inputs. */
  onError?(info: { error: TRPCError; path: string | null; sender: SenderInfo }): void;
}

export type IpcHandler = (message: unknown, sender: SenderInfo) => Promise<IpcResponse>;

const peekId = (message: unknown): number | null => {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
};

export function createIpcHandler<TRouter extends AnyTRPCRouter>(
  options: IpcHandlerOptions<TRouter>,
): IpcHandler {
  const config = options.router._def._config;
  const verify = options.checkSender ?? checkSender;

  const fail = (
    id: number | null,
    sender: SenderInfo,
    error: TRPCError,
    request?: IpcRequest,
    ctx?: unknown,
  ): IpcResponse => {
    options.onError?.({ error, path: request?.path ?? null, sender });
    const shape = getTRPCErrorShape({
      config,
      error,
      type: request?.type ?? 'unknown',
      path: request?.path,
      input: request?.input,
      ctx,
    }) as IpcErrorShape;
    // The shape crosses a structured-clone boundary: keep it plain data, as JSON over HTTP is.
    return { id, error: JSON.parse(JSON.stringify(shape)) as IpcErrorShape };
  };

  return async (message, sender) => {
    const id = peekId(message);
    const verdict = verify(sender);
    if (!verdict.trusted) {
      return fail(
        id,
        sender,
        new TRPCError({ code: 'FORBIDDEN', message: `Call refused: ${verdict.reason}` }),
      );
    }
    const parsed = ipcRequestSchema.safeParse(message);
    if (!parsed.success) {
      // toTRPCError turns the zod issues into a message and data.field naming the bad field.
      return fail(
        id,
        sender,
        toTRPCError(new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error })),
      );
    }
    const request = parsed.data;
    const forwarded = options.forward?.(request, sender);
    if (forwarded)
      return forwarded.catch((err: unknown) => fail(id, sender, toTRPCError(err), request));
    let ctx: inferRouterContext<TRouter>;
    try {
      ctx = await options.createContext({ sender, request });
    } catch (err) {
      return fail(id, sender, toTRPCError(err), request);
    }
    try {
      const data: unknown = await callTRPCProcedure({
        router: options.router,
        path: request.path,
        type: request.type,
        ctx,
        getRawInput: async () => request.input,
        signal: undefined,
        batchIndex: 0,
      });
      // Same data as the HTTP transport would deliver (JSON): dates become strings, undefined
      // fields vanish, and nothing unclonable reaches ipcMain's structured clone.
      return {
        id,
        result: {
          data: data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as unknown),
        },
      };
    } catch (err) {
      return fail(id, sender, toTRPCError(err), request, ctx);
    }
  };
}
