// INT-1 over UDP (RFC 5426): one message per datagram, so a batch of 500 is 500 sends. Each send
// to a host given by name used to resolve it again (dgram's send looks the address up each time:
// getaddrinfo on libuv's thread pool per message); the batch now resolves it once.
import dns from 'node:dns';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDestinationUrl } from '../main/features/integrations/destination-url';
import { sendSyslog } from '../main/features/integrations/syslog';

afterEach(() => vi.restoreAllMocks());

async function receiver() {
  const got: string[] = [];
  const s = createSocket('udp4');
  s.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, got, close: () => s.close() };
}

describe('syslog over UDP', () => {
  it('a batch to a collector named by host resolves the name once, and every message arrives in order', async () => {
    const r = await receiver();
    try {
      const lookup = vi.spyOn(dns, 'lookup');
      const messages = Array.from({ length: 50 }, (_, i) => `<110>1 - host orgdesk - x - m${i}`);
      await sendSyslog(parseDestinationUrl('syslog', `udp://localhost:${r.port}`, true), messages);
      expect(lookup.mock.calls.filter((c) => c[0] === 'localhost').length).toBe(1);
      await vi.waitFor(() => expect(r.got.length).toBe(50));
      expect(r.got).toEqual(messages);
    } finally {
      r.close();
    }
  });

  it('a name that does not resolve fails the batch, as before', async () => {
    await expect(
      sendSyslog(parseDestinationUrl('syslog', 'udp://no-such-host.invalid:514', true), ['x']),
    ).rejects.toThrow(/ENOTFOUND|EAI_AGAIN/);
  });
});
