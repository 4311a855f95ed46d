/** Calls of the product-ingestion face for tests: configure, wait for a job, read trees and submissions. */
import assert from 'node:assert/strict';
import type { Response, TestServer } from './harness.ts';

export const PI = '/rp/product-ingestion';
export const MP = 'https://schema.mp.microsoft.com/schema';
export const AZUREEDGE = 'https://product-ingestion.azureedge.net/schema';
export const CONFIGURE_SCHEMA = `${MP}/configure/2022-03-01-preview2`;

export function configureCall(
  server: TestServer,
  resources: unknown[],
  options: { token?: string | null; schema?: string; path?: string } = {},
): Promise<Response> {
  return server.call(options.path ?? `${PI}/configure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ $schema: options.schema ?? CONFIGURE_SCHEMA, resources }),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
}

/** Polls a job's status until it has completed; returns the configure-status. */
export async function waitForJob(server: TestServer, jobId: string, options: { token?: string; timeoutMs?: number } = {}): Promise<any> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const res = await server.call(`${PI}/configure/${jobId}/status`, options.token ? { token: options.token } : {});
    assert.equal(res.status, 200, res.text);
    const status = res.json();
    if (status.jobStatus === 'completed') return status;
    if (Date.now() > deadline) throw new Error(`job still ${status.jobStatus} after the time allowed: ${res.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Posts a configure request (202) and waits for its job to complete. */
export async function configure(server: TestServer, resources: unknown[], options: { token?: string } = {}): Promise<any> {
  const res = await configureCall(server, resources, options);
  assert.equal(res.status, 202, res.text);
  return waitForJob(server, res.json().jobId, options);
}

export async function tree(server: TestServer, productId: string, target?: string): Promise<any> {
  const res = await server.call(`${PI}/resource-tree/${productId}${target ? `?targetType=${target}` : ''}`);
  assert.equal(res.status, 200, res.text);
  return res.json();
}

export async function productIdOf(server: TestServer, externalId: string): Promise<string> {
  const res = await server.call(`${PI}/product?externalId=${externalId}`);
  assert.equal(res.status, 200, res.text);
  const value = res.json().value;
  assert.equal(value.length, 1, res.text);
  return value[0].id;
}
