/** Offer documents and polling for workflow tests. */
import assert from 'node:assert/strict';
import { seedOfferDocument } from '../../src/demo/demo-data.ts';
import { API, type Response, type TestServer } from './harness.ts';

/** A SAS URL that certification accepts: blob storage, .vhd, read+list, expiring in 2099. */
export const VALID_VHD_URL =
  'https://contosostorage.blob.core.windows.net/vhds/contoso-1.0.1.vhd?sv=2020-08-04&sr=b&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=c2lnbmF0dXJl%3D';

/** The seed document, made publishable: a fresh SAS URL, the envelope fields a client sends. */
export function publishableOffer(id: string): Record<string, any> {
  const document: Record<string, any> = structuredClone(seedOfferDocument());
  document['id'] = id;
  const plan = document['definition'].plans[0];
  plan['microsoft-azure-virtualmachines.vmImages']['1.0.1'].osVhdUrl = VALID_VHD_URL;
  return document;
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

export function offerPath(id: string, suffix = ''): string {
  return `/api/publishers/contoso/offers/${id}${suffix}?${API}`;
}

export async function put(server: TestServer, id: string, document: unknown, ifMatch?: string): Promise<Response> {
  return server.call(offerPath(id), {
    method: 'PUT',
    body: JSON.stringify(document),
    headers: { ...JSON_HEADERS, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
  });
}

export async function post(server: TestServer, id: string, action: 'publish' | 'golive' | 'cancel', body?: unknown): Promise<Response> {
  return server.call(offerPath(id, `/${action}`), {
    method: 'POST',
    headers: JSON_HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Polls an operation location until it is no longer running; returns the operation. */
export async function waitForOperation(server: TestServer, location: string, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.call(location);
    assert.equal(res.status, 200, res.text);
    const operation = res.json();
    if (operation.status !== 'running') return operation;
    if (Date.now() > deadline) throw new Error(`operation still running after ${timeoutMs} ms: ${res.text}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
