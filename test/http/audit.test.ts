/**
 * The audit trail over real sockets (D95–D97): every write recorded with who, which request and
 * the offer's ETag before and after; read by Owners and the sandbox admin token, in pages; never
 * a token or a secret value; pruned past its retention in workflow time.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DAY_MS } from '../../src/domain/audit.ts';
import { createLogger } from '../../src/server.ts';
import { type TestServer, errorCode, startTestServer } from '../helpers/harness.ts';
import { JSON_HEADERS, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';
import { MP, configureCall, productIdOf, waitForJob } from '../helpers/ingestion.ts';

const SECRET_VALUE = 'SECRET-AUDIT-TEST-DRIVE-KEY-7';

interface Record_ {
  id: string;
  time: string;
  action: string;
  principal: { kind: string; id: string; displayName: string | null };
  requestId: string | null;
  publisherId: string | null;
  offerId: string | null;
  etagBefore: string | null;
  etagAfter: string | null;
  operationId: string | null;
  target: string | null;
}

describe('the audit trail', () => {
  let server: TestServer;
  const logLines: Array<Record<string, unknown>> = [];
  const audit = async (query: string, token?: string) => server.call(`/_cloudpartner/audit${query}`, token === undefined ? {} : { token });
  const recordsOf = async (query: string, token?: string): Promise<Record_[]> => {
    const res = await audit(query, token);
    assert.equal(res.status, 200, res.text);
    return res.json().value;
  };

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer('http', { logger: createLogger('info', sink), app: { sandbox: true } });
  });
  after(async () => server.close());

  it('a PUT records who, which request, and the ETag before and after — never the token', async () => {
    const created = await put(server, 'audited', publishableOffer('audited'));
    assert.equal(created.status, 200, created.text);
    const document = created.json();
    document.definition.offer['microsoft-azure-marketplace-testdrive.azureADAppKey'] = SECRET_VALUE;
    const updated = await put(server, 'audited', document, created.headers['etag']);
    assert.equal(updated.status, 200, updated.text);

    const [update, create] = await recordsOf('?publisherId=contoso&offerId=audited');
    assert.equal(create!.action, 'offer.create');
    assert.equal(create!.etagBefore, null);
    assert.equal(create!.etagAfter, created.headers['etag']);
    assert.equal(update!.action, 'offer.update');
    assert.equal(update!.etagBefore, created.headers['etag']);
    assert.equal(update!.etagAfter, updated.headers['etag']);
    assert.equal(update!.principal.kind, 'token');
    assert.match(update!.principal.id, /^[0-9a-f-]{36}$/);
    assert.equal(update!.publisherId, 'contoso');
    // The request id is the one on the access log's line of that PUT.
    const putLines = logLines.filter((line) => line['method'] === 'PUT' && String(line['url']).includes('/offers/audited'));
    assert.deepEqual(
      [create!.requestId, update!.requestId],
      putLines.map((line) => line['reqId']),
    );
    const text = (await audit('?publisherId=contoso')).text;
    assert.ok(!text.includes(server.ownerToken), 'no token');
    assert.ok(!text.includes(SECRET_VALUE), 'no secret value');
  });

  it('a write that fails records nothing', async () => {
    const before = (await recordsOf('?publisherId=contoso&offerId=audited')).length;
    assert.equal((await put(server, 'audited', publishableOffer('audited'), '"stale"')).status, 412);
    assert.equal((await post(server, 'audited', 'golive')).status, 409);
    assert.equal((await recordsOf('?publisherId=contoso&offerId=audited')).length, before);
  });

  it('publish, go live and cancel record their operation; the worker records each end as the system', async () => {
    const publish = await post(server, 'audited', 'publish');
    assert.equal(publish.status, 202, publish.text);
    const published = await waitForOperation(server, publish.headers['location']!);
    assert.equal(published.status, 'succeeded');
    const golive = await post(server, 'audited', 'golive');
    const live = await waitForOperation(server, golive.headers['location']!);
    assert.equal(live.status, 'succeeded');
    // A second publish, canceled at once.
    await server.call('/_cloudpartner/faults', {
      method: 'POST',
      token: await server.sandboxAdminToken(),
      headers: JSON_HEADERS,
      body: JSON.stringify({ match: { offerId: 'audited' }, effect: { block: true } }),
    });
    assert.equal((await post(server, 'audited', 'publish')).status, 202);
    assert.equal((await post(server, 'audited', 'cancel')).status, 200);

    const records = (await recordsOf('?publisherId=contoso&offerId=audited')).reverse();
    assert.deepEqual(
      records.map((record) => record.action),
      ['offer.create', 'offer.update', 'offer.publish', 'operation.end', 'offer.golive', 'operation.end', 'offer.publish', 'offer.cancel'],
    );
    // ETags chain: each record starts where the one before ended.
    for (let i = 1; i < records.length; i++) assert.equal(records[i]!.etagBefore, records[i - 1]!.etagAfter, `${records[i]!.action} follows on`);
    const offer = await server.call('/api/publishers/contoso/offers/audited?api-version=2017-10-31');
    assert.equal(records.at(-1)!.etagAfter, offer.headers['etag']);
    const [publishRecord, publishEnd, goliveRecord, goliveEnd] = records.slice(2);
    assert.equal(publishRecord!.operationId, publish.json().id);
    assert.equal(publishEnd!.operationId, publish.json().id);
    assert.equal(goliveRecord!.operationId, golive.json().id);
    assert.deepEqual(goliveEnd!.principal, { kind: 'system', id: 'system', displayName: null });
    assert.equal(goliveEnd!.requestId, null);
    assert.equal(records.at(-1)!.operationId, records.at(-2)!.operationId, 'the cancel names the publish it stopped');
  });

  it('members, applications, tokens, webhooks and sandbox actions are recorded too', async () => {
    const member = '6f3c2a1e-9b8d-4c7e-a5f4-3e2d1c0b9a87';
    const tenant = '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a';
    const memberPath = `/api/publishers/contoso/members/${member}?api-version=2017-10-31`;
    assert.equal(
      (
        await server.call(memberPath, {
          method: 'PUT',
          headers: JSON_HEADERS,
          body: JSON.stringify({ tenantId: tenant, role: 'Reader', displayName: 'auditor' }),
        })
      ).status,
      201,
    );
    assert.equal((await server.call(`${memberPath}&tenantId=${tenant}`, { method: 'DELETE' })).status, 204);
    const app = await server.call('/api/publishers/contoso/applications?api-version=2017-10-31', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ role: 'Contributor', displayName: 'pipeline' }),
    });
    assert.equal(app.status, 201, app.text);
    const { clientId, clientSecret } = app.json();
    assert.equal((await server.call(`/api/publishers/contoso/applications/${clientId}?api-version=2017-10-31`, { method: 'DELETE' })).status, 204);
    const token = await server.tokenFor(['contoso'], 'Reader');
    const webhook = await server.call('/_cloudpartner/webhooks', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hooks', events: ['offer.updated'], publisherId: 'contoso', secret: 'an-audited-webhook-secret' }),
    });
    assert.equal(webhook.status, 201);
    const admin = await server.sandboxAdminToken();
    assert.equal((await server.call('/_cloudpartner/snapshots/audited', { method: 'PUT', token: admin })).status, 200);

    const records = (await recordsOf('?publisherId=contoso&limit=6')).reverse();
    const tokenRecord = records.find((record) => record.action === 'token.create')!;
    assert.deepEqual(
      records.map((record) => [record.action, record.target]),
      [
        ['member.put', member],
        ['member.remove', member],
        ['application.create', clientId],
        ['application.remove', clientId],
        ['token.create', tokenRecord.target],
        ['webhook.create', webhook.json().id],
      ],
    );
    assert.match(tokenRecord.target!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(tokenRecord.principal, { kind: 'local', id: 'local', displayName: null }, 'made on the server machine, not through the API');
    const everything = await recordsOf('?limit=5', admin);
    assert.equal(everything[0]!.action, 'sandbox.snapshot.save');
    assert.equal(everything[0]!.principal.kind, 'sandboxAdmin');
    assert.equal(everything[0]!.target, 'audited');
    const text = (await audit('?limit=1000', admin)).text;
    for (const secret of [clientSecret, token, admin, 'an-audited-webhook-secret', SECRET_VALUE]) assert.ok(!text.includes(secret));
  });

  it("a configure job: its request is the caller's record, what its runner writes the system's, naming the job", async () => {
    const productId = await productIdOf(server, 'audited');
    const res = await configureCall(server, [
      { $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product: productId, languageId: 'en-us', title: 'Audited through a job' },
    ]);
    assert.equal(res.status, 202, res.text);
    const jobId = res.json().jobId;
    assert.equal((await waitForJob(server, jobId)).jobResult, 'succeeded');
    const byJob = (await recordsOf('?publisherId=contoso&limit=20')).filter((record) => record.target === jobId).reverse();
    assert.deepEqual(
      byJob.map((record) => [record.action, record.principal.kind, record.offerId]),
      [
        ['configure.create', 'token', null],
        ['offer.update', 'system', 'audited'],
      ],
    );
    assert.match(byJob[0]!.requestId!, /^req-/);
    assert.equal(byJob[1]!.requestId, null);
    assert.equal(byJob[1]!.etagAfter, (await server.call('/api/publishers/contoso/offers/audited?api-version=2017-10-31')).headers['etag']);
  });

  it('pages newest first with @nextLink: every record once, none skipped', async () => {
    const all = await recordsOf('?publisherId=contoso&limit=1000');
    assert.ok(all.length >= 15);
    const seen: string[] = [];
    let next: string | undefined = '/_cloudpartner/audit?publisherId=contoso&limit=4';
    while (next) {
      const page = await server.call(next);
      assert.equal(page.status, 200, page.text);
      const body = page.json();
      assert.ok(body.value.length <= 4);
      seen.push(...body.value.map((record: Record_) => record.id));
      next = body['@nextLink'];
      if (next) assert.match(next, /^\/_cloudpartner\/audit\?publisherId=contoso&limit=4&continuationToken=[A-Za-z0-9_-]+$/);
    }
    assert.deepEqual(
      seen,
      all.map((record) => record.id),
    );
    assert.ok(
      all.every((record, i) => i === 0 || record.time <= all[i - 1]!.time),
      'newest first',
    );
    const since = all[2]!.time;
    const recent = await recordsOf(`?publisherId=contoso&since=${encodeURIComponent(since)}`);
    assert.ok(recent.length >= 3 && recent.every((record) => record.time >= since));
  });

  it('Owners of the publisher read it, or the sandbox admin token; mistakes are 4xx in the error shape', async () => {
    const reader = await server.tokenFor(['contoso'], 'Reader');
    const contributor = await server.tokenFor(['contoso'], 'Contributor');
    assert.equal(errorCode(await audit('?publisherId=contoso', reader)), 'InsufficientRole');
    assert.equal(errorCode(await audit('?publisherId=contoso', contributor)), 'InsufficientRole');
    assert.equal(errorCode(await audit('?publisherId=fabrikam')), 'Forbidden');
    assert.equal(errorCode(await audit('')), 'Forbidden', 'without a publisher: the sandbox admin token only');
    assert.equal(errorCode(await audit('?publisherId=contoso', '')), 'Unauthorized');
    const admin = await server.sandboxAdminToken();
    assert.equal((await audit('?publisherId=contoso', admin)).status, 200);
    for (const query of [
      '?publisherId=contoso&since=yesterday',
      '?publisherId=contoso&since=2026-13-45T00:00:00Z',
      '?publisherId=contoso&limit=0',
      '?publisherId=contoso&limit=1001',
      '?publisherId=contoso&limit=ten',
      '?publisherId=contoso&continuationToken=not-ours',
      '?offerId=audited',
    ]) {
      const res = await audit(query, admin);
      assert.equal(res.status, 400, query);
      assert.equal(errorCode(res), 'InvalidQueryParameter', query);
    }
    assert.equal(errorCode(await audit('?publisherId=bad%20id', admin)), 'InvalidPublisherId');
  });
});

describe('audit retention', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('http', { app: { sandbox: true, auditRetentionDays: 30 } });
  });
  after(async () => server.close());

  it('records older than the retention, in workflow time, are deleted when the sandbox clock passes it', async () => {
    const admin = await server.sandboxAdminToken();
    assert.equal((await put(server, 'kept-a-while', publishableOffer('kept-a-while'))).status, 200);
    const advance = (days: number) =>
      server.call('/_cloudpartner/clock/advance', { method: 'POST', token: admin, headers: JSON_HEADERS, body: JSON.stringify({ ms: days * DAY_MS }) });
    assert.equal((await advance(29)).status, 200);
    let actions = (await server.call('/_cloudpartner/audit', { token: admin })).json().value.map((record: Record_) => record.action);
    assert.deepEqual(actions.slice(0, 2), ['sandbox.clock.advance', 'offer.create'], 'within the retention: kept');
    assert.equal((await advance(2)).status, 200);
    actions = (await server.call('/_cloudpartner/audit', { token: admin })).json().value.map((record: Record_) => record.action);
    assert.deepEqual(actions, ['sandbox.clock.advance', 'sandbox.clock.advance'], 'the PUT, 31 days old, is gone; the advances are newer');
  });
});
