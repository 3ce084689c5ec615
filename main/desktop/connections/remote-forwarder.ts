// When a window uses a remote Orgdesk server, main forwards the renderer's tRPC calls to the
// server's `/trpc` with the bearer token: the token never enters the renderer. The server's own
// error shape comes back unchanged, so the console cannot tell the transports apart.
import { TRPCClientError, createTRPCUntypedClient, httpLink } from '@trpc/client';
import { TRPCError, type AnyTRPCRouter, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { DomainError } from '../../core/errors';
import { DESKTOP_USER_AGENT } from '../../../shared/constants';
import { isErrorCode } from '../../../shared/error-codes';
import type { IpcErrorShape, IpcRequest, IpcResponse } from '../../../shared/ipc-channels';

/** A remote error shape as an error of ours with the same code, message and field. */
export function errorFromShape(shape: IpcErrorShape): Error {
  const code = shape.data.code;
  if (isErrorCode(code)) {
    return new DomainError(code, shape.message, shape.data.field ?? undefined);
  }
  return new TRPCError({
    code: (code in TRPC_ERROR_CODES_BY_KEY ? code : 'BAD_GATEWAY') as TRPC_ERROR_CODE_KEY,
    message: shape.message,
  });
}

export interface RemoteForwarderOptions {
  /** The server's base URL (as normalised by the connection store). */
  url: string;
  /** Read at each call: the token may be renewed or forgotten meanwhile. */
  token: () => string | null;
  fetch?: typeof fetch;
}

function gatewayError(url: string, request: IpcRequest, cause: unknown): IpcErrorShape {
  const why =
    cause instanceof Error
      ? cause.cause instanceof Error
        ? cause.cause.message
        : cause.message
      : 'no answer';
  return {
    code: TRPC_ERROR_CODES_BY_KEY.BAD_GATEWAY,
    message: `The Orgdesk server at ${url} could not be reached or did not answer as one (${why}); check the connection and try again`,
    data: { code: 'BAD_GATEWAY', httpStatus: 502, path: request.path, field: null },
  };
}

export class RemoteForwarder {
  private readonly client;

  constructor(private readonly o: RemoteForwarderOptions) {
    this.client = createTRPCUntypedClient<AnyTRPCRouter>({
      links: [
        httpLink({
          url: `${o.url}/trpc`,
          fetch: o.fetch,
          headers: () => {
            const token = o.token();
            // IDN-5: the server's "my sessions" names this client "Orgdesk desktop".
            const agent = { 'User-Agent': DESKTOP_USER_AGENT };
            return token ? { ...agent, Authorization: `Bearer ${token}` } : agent;
          },
        }),
      ],
    });
  }

  async forward(request: IpcRequest): Promise<IpcResponse> {
    try {
      const data: unknown =
        request.type === 'query'
          ? await this.client.query(request.path, request.input)
          : await this.client.mutation(request.path, request.input);
      return { id: request.id, result: { data } };
    } catch (err) {
      if (err instanceof TRPCClientError && err.shape && typeof err.shape === 'object') {
        return { id: request.id, error: err.shape as IpcErrorShape };
      }
      return { id: request.id, error: gatewayError(this.o.url, request, err) };
    }
  }

  /** Signs in at the server (auth.login) and returns its session token and expiry. */
  async signIn(email: string, password: string): Promise<{ token: string; expires_at: string }> {
    const reply = await this.forward({
      id: 0,
      type: 'mutation',
      path: 'auth.login',
      input: { email, password },
    });
    if ('error' in reply) throw errorFromShape(reply.error);
    return reply.result.data as { token: string; expires_at: string };
  }
}
