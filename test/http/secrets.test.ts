/**
 * Secret-type field values are stored (encrypted, apart from the document) and never returned,
 * by any read, in any form — nor written to the log.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { seedOfferDocument } from '../../src/demo/demo-data.ts';
import { createLogger } from '../../src/server.ts';
import { API, TRANSPORTS, startTestServer, type TestServer } from '../helpers/harness.ts';

const SECRETS = {
  table: 'DefaultEndpointsProtocol=https;AccountName=leads;AccountKey=SECRET-TABLE-KEY-1==',
  marketo: 'SECRET-MARKETO-CLIENT-SECRET-2',
  https: 'https://prod-01.logic.azure.com/workflows/x/triggers/manual?sig=SECRET-HTTPS-SIG-3',
  testDrive: 'SECRET-TEST-DRIVE-APP-KEY-4',
  crm: 'SECRET-CRM-PASSWORD-5',
};

function definitionWithSecrets(version: number): Record<string, unknown> {
  const definition = structuredClone(seedOfferDocument().definition);
  const offer = definition['offer'] as Record<string, unknown>;
  offer['microsoft-azure-marketplace.tableLeadConfiguration'] = { storageAccountConnectionString: `${SECRETS.table}${version}` };
  offer['microsoft-azure-marketplace.marketoLeadConfiguration'] = {
    clientId: 'marketo-client-id',
    clientSecret: `${SECRETS.marketo}${version}`,
    munchkinId: '123-ABC-456',
  };
  offer['microsoft-azure-marketplace.httpsEndpointLeadConfiguration'] = { httpsEndpointUrl: `${SECRETS.https}${version}` };
  offer['microsoft-azure-marketplace.crmLeadConfiguration'] = {
    url: 'https://contoso.crm.dynamics.com',
    username: 'leads@contoso.com',
    password: `${SECRETS.crm}${version}`,
  };
  offer['microsoft-azure-marketplace-testdrive.azureADAppKey'] = `${SECRETS.testDrive}${version}`;
  return definition;
}

const everySecretValue = [1, 2, 3].flatMap((version) => Object.values(SECRETS).map((secret) => `${secret}${version}`));
const secretMarkers = ['SECRET-TABLE-KEY', 'SECRET-MARKETO', 'SECRET-HTTPS-SIG', 'SECRET-TEST-DRIVE', 'SECRET-CRM-PASSWORD'];

for (const transport of TRANSPORTS) {
  describe(`secret-type fields (${transport})`, () => {
    let server: TestServer;
    const logLines: string[] = [];
    const base = '/api/publishers/contoso/offers/secret-offer';

    before(async () => {
      const sink = new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) });
      server = await startTestServer(transport, { logger: createLogger('trace', sink) });
      await server.store.importOffer({
        publisherId: 'contoso',
        id: 'secret-offer',
        offerTypeId: 'microsoft-azure-virtualmachines',
        status: 'waitingForPublisherReview',
        previewVersion: 2,
        productionVersion: 1,
        createdTime: '2021-01-01T00:00:00.0000000Z',
        changedTime: '2021-01-03T00:00:00.0000000Z',
        versions: [1, 2, 3].map((version) => ({ version, definition: definitionWithSecrets(version), changedTime: `2021-01-0${version}T00:00:00.0000000Z` })),
      });
    });
    after(async () => server.close());

    it('no read returns a stored secret value, in any slot or version', async () => {
      const paths = [
        `${base}`,
        `${base}/slot/Draft`,
        `${base}/slot/Preview`,
        `${base}/slot/Production`,
        `${base}/versions/1`,
        `${base}/versions/2`,
        `${base}/versions/3`,
        '/api/publishers/contoso/offers',
        '/api/publishers',
      ];
      for (const path of paths) {
        const res = await server.call(`${path}?${API}`);
        assert.equal(res.status, 200, path);
        for (const marker of secretMarkers) assert.equal(res.text.includes(marker), false, `${path} leaks ${marker}`);
      }
    });

    it('GET …/secrets tells which secret fields hold a value, never the values', async () => {
      const res = await server.call(`${base}/secrets?${API}`);
      assert.equal(res.status, 200);
      for (const marker of secretMarkers) assert.equal(res.text.includes(marker), false, `…/secrets leaks ${marker}`);
      const fields = res.json().value as { pointer: string; path: string; set: boolean }[];
      const byPointer = Object.fromEntries(fields.map((field) => [field.pointer, field]));
      assert.equal(byPointer['/offer/microsoft-azure-marketplace.marketoLeadConfiguration/clientSecret']?.set, true);
      assert.equal(
        byPointer['/offer/microsoft-azure-marketplace-testdrive.azureADAppKey']?.path,
        "$.definition.offer['microsoft-azure-marketplace-testdrive.azureADAppKey']",
      );
      // The VM type's other secret fields are listed, unset: the blob and Salesforce lead targets, the CRM's keys.
      assert.equal(byPointer['/offer/microsoft-azure-marketplace.blobLeadConfiguration/storageAccountConnectionString']?.set, false);
      assert.equal(fields.filter((field) => field.set).length, 5);

      // A draft saved without a value for one keeps it (secrets carry across edits); one set to "" drops nothing else.
      const draft = (await server.call(`${base}?${API}`)).json();
      const saved = await server.call(`${base}?${API}`, {
        method: 'PUT',
        body: JSON.stringify(draft),
        headers: { 'if-match': '*', 'content-type': 'application/json' },
      });
      assert.equal(saved.status, 200);
      const after = ((await server.call(`${base}/secrets?${API}`)).json().value as { set: boolean }[]).filter((field) => field.set);
      assert.equal(after.length, 5);
      assert.equal((await server.call(`/api/publishers/contoso/offers/no-such-offer/secrets?${API}`)).status, 404);
    });

    it('removes only the secret fields: their siblings stay', async () => {
      const offer = (await server.call(`${base}?${API}`)).json().definition.offer;
      assert.deepEqual(offer['microsoft-azure-marketplace.marketoLeadConfiguration'], { clientId: 'marketo-client-id', munchkinId: '123-ABC-456' });
      assert.deepEqual(offer['microsoft-azure-marketplace.crmLeadConfiguration'], { url: 'https://contoso.crm.dynamics.com', username: 'leads@contoso.com' });
      assert.deepEqual(offer['microsoft-azure-marketplace.tableLeadConfiguration'], {});
      assert.equal('microsoft-azure-marketplace-testdrive.azureADAppKey' in offer, false);
      assert.equal(offer['microsoft-azure-marketplace.title'], 'Contoso App');
    });

    it('keeps the values, per version, readable only inside the server', async () => {
      const secrets = await server.store.getVersionSecrets('contoso', 'secret-offer', 2);
      const byPointer = Object.fromEntries(secrets.map((secret) => [secret.pointer, secret.value]));
      assert.equal(byPointer['/offer/microsoft-azure-marketplace.marketoLeadConfiguration/clientSecret'], `${SECRETS.marketo}2`);
      assert.equal(byPointer['/offer/microsoft-azure-marketplace-testdrive.azureADAppKey'], `${SECRETS.testDrive}2`);
      assert.equal(secrets.length, 5);
    });

    it('stores them encrypted: the database never holds a secret in plain text', async () => {
      const stored = await server.storedText();
      assert.ok(stored.includes('marketo-client-id'), 'the non-secret sibling is stored in plain text');
      for (const value of everySecretValue) assert.equal(stored.includes(value), false, `plain text secret in the database`);
    });

    it('the log never carries a token or a secret value', async () => {
      await server.call(`${base}?${API}`);
      await server.call(`${base}?${API}`, { token: 'cpat_not-a-real-token' });
      const log = logLines.join('');
      if (transport === 'http') assert.ok(log.includes('"url"'), 'requests are logged');
      assert.equal(log.includes(server.ownerToken), false);
      assert.equal(log.includes('cpat_not-a-real-token'), false);
      for (const marker of secretMarkers) assert.equal(log.includes(marker), false);
    });
  });
}
