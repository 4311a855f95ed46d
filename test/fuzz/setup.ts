/**
 * A server to fuzz: the real app over a real socket, on the run's store, with a second publisher,
 * tokens of every kind (Owner, Reader, another publisher's Owner, a JWT from the token service),
 * a few offers to play with, a log kept in memory, and every value the store seals recorded.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/server.ts';
import { registerApplication } from '../../src/identity/applications.ts';
import { SecretBox } from '../../src/store/secret-box.ts';
import { type TestServer, startTestServer } from '../helpers/harness.ts';
import { recordLogLine } from '../helpers/capture.ts';
import { publishableOffer, put } from '../helpers/offers.ts';
import type { FuzzState } from './generators.ts';

export interface FuzzServer {
  server: TestServer;
  port: number;
  state: FuzzState;
  /** Plain text of every value the store sealed (secret-type field values). */
  sealed: Set<string>;
  /** Every log line the server wrote. */
  logLines: string[];
  close(): Promise<void>;
}

export const FUZZ_OFFERS = ['fz-0', 'fz-1', 'fz-2', 'fz-3', 'fz-4', 'fz-5'];

export async function startFuzzServer(seed: number, options: { stepMs?: number } = {}): Promise<FuzzServer> {
  const sealed = new Set<string>();
  const seal = SecretBox.prototype.seal;
  SecretBox.prototype.seal = function recordSeal(this: SecretBox, plaintext: string): string {
    sealed.add(plaintext);
    return seal.call(this, plaintext);
  };
  const logLines: string[] = [];
  let pending = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (logLines.length < 200_000) logLines.push(line);
        recordLogLine(line);
      }
      done();
    },
  });
  // With the sandbox on: its controls are fuzzed too, with every token but the admin token.
  const server = await startTestServer('http', { logger: createLogger('debug', sink), stepMs: options.stepMs ?? 20, app: { sandbox: true } });
  const port = (server.app.server.address() as import('node:net').AddressInfo).port;

  await server.store.createPublisher({
    id: 'fabrikam',
    version: 1,
    displayText: 'Fabrikam',
    offerTypeCategories: ['microsoft-azure-virtualmachines'],
    sellerId: 20045678,
  });
  const application = await registerApplication(server.store, server.app.tokens, { publisherIds: ['contoso'], role: 'Owner', displayName: 'fuzz client' });
  const tokenReply = await server.call(`/${application.tenantId}/oauth2/token`, {
    method: 'POST',
    token: null,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: application.clientId,
      client_secret: application.clientSecret,
      resource: 'https://cloudpartner.azure.com',
    }).toString(),
  });
  const jwt = tokenReply.status === 200 ? (tokenReply.json().access_token as string) : undefined;

  const state: FuzzState = {
    tokens: {
      owner: server.ownerToken,
      reader: await server.tokenFor(['contoso'], 'Reader'),
      foreign: await server.tokenFor(['fabrikam'], 'Owner'),
      jwt,
    },
    client: { id: application.clientId, secret: application.clientSecret, tenant: application.tenantId },
    offerIds: FUZZ_OFFERS,
    etags: new Map(),
    operations: [],
    markerPrefix: `FZS${seed}x`,
  };
  // Half of the offers exist from the start, so edits and publishes reach the workflow at once.
  for (const id of FUZZ_OFFERS.slice(0, 3)) {
    const created = await put(server, id, publishableOffer(id));
    if (created.status !== 200) throw new Error(`creating ${id}: ${created.status} ${created.text}`);
    state.etags.set(id, created.headers['etag']!);
  }

  return {
    server,
    port,
    state,
    sealed,
    logLines,
    async close() {
      await server.close();
      SecretBox.prototype.seal = seal;
    },
  };
}
