// The REST API as a script would call it, for specs that change data behind the console's back
// (UI-14: the console must notice by itself).
import type { APIRequestContext } from '@playwright/test';
import { expect } from './fixtures';

export class Api {
  constructor(
    private readonly request: APIRequestContext,
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const res = await this.request.fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}` },
      ...(body === undefined ? {} : { data: body }),
    });
    expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  }

  /** AGT-1, as an agent enrolls: with the org secret, no token. */
  async registerHost(orgId: number, hostname: string, ip: string): Promise<void> {
    const { secret } = await this.call<{ secret: string }>('GET', `/organizations/${orgId}/secret`);
    const res = await this.request.post(`${this.base}/api/v1/agents/register`, {
      headers: { 'X-Organization-Secret': secret },
      data: { hostname, ip, agent_type: 'legacy' },
    });
    expect(res.status(), await res.text()).toBe(201);
  }
}
