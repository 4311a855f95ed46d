/**
 * Durability of the publishing workflow, with real processes: a server killed with SIGKILL in
 * the middle of an operation loses nothing it acknowledged, and the next server on the same data
 * directory takes the operation to its end — including a step whose lease the dead process held,
 * which is taken over once the lease expires (and not before). The last suite checks, in-process,
 * how the engine waits for such a lease. Both run on the test run's backend: the servers get a
 * data directory of their own and, on PostgreSQL, a database of their own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID, loadDemoData } from '../../src/demo/demo-data.ts';
import type { Store } from '../../src/store/store.ts';
import { fixedDurations } from '../../src/workflow/durations.ts';
import { WorkflowEngine } from '../../src/workflow/engine.ts';
import { API, TEST_STORE, openTestStore, type TestStore } from '../helpers/harness.ts';
import { BIN, cleanEnv, processExists, runCli, startProcess, type ServerProcess } from '../helpers/processes.ts';
import { localAudit } from '../../src/domain/audit.ts';

const OFFERS = '/api/publishers/contoso/offers';
const OFFER_ID = 'durable-offer';
const OFFER = `${OFFERS}/${OFFER_ID}`;
const STEP_MS = 1500;
/** The engine's default step lease (src/workflow/engine.ts), which `serve` uses. */
const LEASE_MS = 10_000;
const WAIT_MS = 30_000;
/** A blob SAS URL valid until 2099, with read and list permissions: certification accepts it. */
const VALID_VHD_URL = 'https://contosostorage.blob.core.windows.net/vhds/image.vhd?sv=2020-08-04&sr=b&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=abc%3D';
const LOCATION = new RegExp(`^/api/publishers/contoso/offers/${OFFER_ID}/operations/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\?${API}$`);
const IMAGES = 'microsoft-azure-virtualmachines.vmImages';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): any;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, for at most `timeoutMs`; fails saying what it waited for. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The parts of an offer document a write determines (status belongs to the workflow). */
const content = (document: any) => ({
  offerTypeId: document.offerTypeId,
  publisherId: document.publisherId,
  id: document.id,
  version: document.version,
  definition: document.definition,
  changedTime: document.changedTime,
});

describe(`durability: SIGKILL in the middle of an operation (${TEST_STORE})`, () => {
  /** The servers' backend; the test keeps a store open on it to act as a dead instance would. */
  let backend: TestStore;
  let token = '';
  let server: ServerProcess | undefined;
  const started: ServerProcess[] = [];
  /** The draft as acknowledged by PUT before publishing (becomes version 1). */
  let published: any;
  /** The draft edit acknowledged while the publish ran (version 2), just before the kill. */
  let editedDuringPublish: any;

  const serve = async (flags: string[] = []) => {
    const child = await startProcess(
      process.execPath,
      [BIN, 'serve', ...storeFlags(), '--port', '0', '--log-level', 'silent', '--step-duration-ms', String(STEP_MS), ...flags],
      cleanEnv(),
    );
    started.push(child);
    return child;
  };

  const call = async (path: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> => {
    assert.ok(server, 'a server is running');
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(server.url + path, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };

  const getOperation = async (location: string) => {
    const res = await call(location);
    assert.equal(res.status, 200, res.text);
    return res.json();
  };

  /** Kills the running server's process group with SIGKILL and checks it is gone. */
  const kill = async () => {
    assert.ok(server);
    const { child, url } = server;
    const code = await server.stop('SIGKILL');
    server = undefined;
    assert.equal(code, null, 'no exit code: the process did not exit on its own');
    assert.equal(child.signalCode, 'SIGKILL');
    assert.equal(processExists(child.pid!), false, 'the process is gone');
    await assert.rejects(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }), 'nothing answers on its port any more');
  };

  const storeFlags = () => ['--data-dir', backend.dataDir, ...(backend.databaseUrl ? ['--database-url', backend.databaseUrl] : [])];

  before(async () => {
    backend = await openTestStore();
  });
  after(async () => {
    for (const child of started) await child.stop('SIGKILL');
    await backend?.close();
  });

  it('a publish killed mid-certification completes after a restart, with every acknowledged write intact', async () => {
    server = await serve(['--demo']);
    const created = runCli(['token', 'create', '--publisher', 'contoso', '--role', 'Owner', ...storeFlags()], cleanEnv());
    assert.equal(created.status, 0, created.stderr);
    token = created.stdout.trim();

    // Our own offer, from the demo draft, with an image certification accepts.
    const demo = await call(`${OFFERS}/${DEMO_OFFER_ID}?${API}`);
    assert.equal(demo.status, 200, demo.text);
    const document = demo.json();
    document.id = OFFER_ID;
    document.definition.displayText = 'Durable offer';
    const images = document.definition.plans[0][IMAGES];
    assert.ok(Object.keys(images).length > 0);
    for (const image of Object.values<any>(images)) image.osVhdUrl = VALID_VHD_URL;
    const put = await call(`${OFFER}?${API}`, { method: 'PUT', body: document });
    assert.equal(put.status, 200, put.text);
    const draft = await call(`${OFFER}?${API}`);
    assert.equal(draft.status, 200);
    assert.deepEqual(draft.json(), put.json(), 'GET serves the document PUT acknowledged');
    published = draft.json();
    assert.equal(published.version, 1);
    assert.equal(published.definition.displayText, 'Durable offer');

    const publish = await call(`${OFFER}/publish?${API}`, { method: 'POST' });
    assert.equal(publish.status, 202, publish.text);
    const location = publish.headers.get('location') ?? '';
    assert.equal(publish.headers.get('operation-location'), location);
    const [, operationId] = LOCATION.exec(location) ?? assert.fail(`Location is not the operation's relative path: '${location}'`);
    assert.equal(publish.json().id, operationId);
    assert.equal(publish.json().status, 'running');

    // Mid-way: the first step is done, certification runs.
    const midway = await until('the displaycertify step to be in progress', async () => {
      const operation = await getOperation(location);
      return operation.steps[1].status === 'inProgress' ? operation : undefined;
    });
    assert.equal(midway.status, 'running');
    assert.equal(midway.steps[0].id, 'displaydummycertify');
    assert.equal(midway.steps[0].status, 'complete');
    assert.equal(midway.steps[1].id, 'displaycertify');

    // A write acknowledged while the publish runs: the draft (now version 2) is edited.
    const current = await call(`${OFFER}?${API}`);
    assert.equal(current.json().version, 2);
    const edit = current.json();
    edit.definition.displayText = 'Durable offer, edited during the publish';
    const edited = await call(`${OFFER}?${API}`, { method: 'PUT', body: edit, headers: { 'if-match': current.headers.get('etag')! } });
    assert.equal(edited.status, 200, edited.text);
    editedDuringPublish = edited.json();
    assert.equal(editedDuringPublish.version, 2);
    // The remaining steps take 3 × 1.5 s or more, so the publish is still running at the kill.
    assert.equal((await getOperation(location)).status, 'running');

    await kill();

    server = await serve();
    const finished = await until('the publish to reach a terminal state', async () => {
      const operation = await getOperation(location);
      return operation.status === 'running' ? undefined : operation;
    });
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
    assert.equal(finished.id, operationId);
    assert.deepEqual(finished.messages, []);
    assert.deepEqual(
      finished.steps.map((step: any) => [step.id, step.status]),
      [
        ['displaydummycertify', 'complete'],
        ['displaycertify', 'complete'],
        ['displayprovision', 'complete'],
        ['displaypackage', 'complete'],
        ['publisher-signoff', 'waitingForPublisherReview'],
      ],
    );
    for (const step of finished.steps) {
      assert.equal(step.messages.length, 1, `${step.id} recorded one outcome`);
      assert.equal(step.messages[0].level, 'information');
    }

    const submissions = await call(`${OFFER}/submissions?${API}`);
    assert.equal(submissions.status, 200);
    assert.deepEqual(
      submissions.json().map((s: any) => [s.id, s.submissionType, s.status]),
      [[operationId, 'publish', 'completed']],
      'exactly one operation: the restart did not start another',
    );
    const status = await call(`${OFFER}/status?${API}`);
    assert.equal(status.json().status, 'waitingForPublisherReview');

    // The Preview slot holds the published version exactly as PUT acknowledged it.
    const preview = await call(`${OFFER}/slot/Preview?${API}`);
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(content(preview.json()), content(published));
    const version1 = await call(`${OFFER}/versions/1?${API}`);
    assert.deepEqual(content(version1.json()), content(published));
    // The draft holds the edit acknowledged just before the kill.
    const draftAfter = await call(`${OFFER}?${API}`);
    assert.equal(draftAfter.json().status, 'waitingForPublisherReview');
    assert.deepEqual(content(draftAfter.json()), content(editedDuringPublish));
    assert.equal((await call(`${OFFER}/slot/Production?${API}`)).status, 404, 'nothing is live yet');
  });

  it('a go-live killed mid-live, its step leased by the dead process, completes once the lease expires', async () => {
    assert.ok(server && published && editedDuringPublish, 'runs after the publish test');
    const goLive = await call(`${OFFER}/golive?${API}`, { method: 'POST' });
    assert.equal(goLive.status, 202, goLive.text);
    const location = goLive.headers.get('location') ?? '';
    assert.equal(goLive.headers.get('operation-location'), location);
    const [, operationId] = LOCATION.exec(location) ?? assert.fail(`Location is not the operation's relative path: '${location}'`);
    const running = await getOperation(location);
    assert.equal(running.status, 'running');
    assert.deepEqual(
      running.steps.map((step: any) => [step.id, step.status]),
      [['live', 'inProgress']],
    );

    await kill();

    // The dead process had claimed the step when it died: hold its lease as it would have.
    let leaseExpiresMs = 0;
    const claim = await until(
      'the live step to fall due',
      async () => {
        const now = Date.now();
        const found = await backend.store.claimDueStep('the-killed-server', now, LEASE_MS);
        if (found) leaseExpiresMs = now + LEASE_MS;
        return found ?? undefined;
      },
      10_000,
      50,
    );
    assert.equal(claim.operation.id, operationId);
    assert.equal(claim.stepId, 'live');

    server = await serve(['--step-duration-ms', '50']);
    // While the lease lasts, nobody else runs the step.
    let polls = 0;
    while (Date.now() < leaseExpiresMs - 1_000) {
      const operation = await getOperation(location);
      assert.equal(operation.status, 'running', 'the step is not run while another instance holds its lease');
      assert.equal(operation.steps[0].status, 'inProgress');
      polls++;
      await sleep(250);
    }
    assert.ok(polls > 0, 'the new server was up before the lease expired');

    const finished = await until('the go-live to reach a terminal state', async () => {
      const operation = await getOperation(location);
      return operation.status === 'running' ? undefined : operation;
    });
    assert.ok(Date.now() >= leaseExpiresMs, 'taken over only after the lease expired');
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
    assert.deepEqual(
      finished.steps.map((step: any) => [step.id, step.status]),
      [['live', 'complete']],
    );
    assert.equal(finished.publishingVersion, 1);

    const offer = await call(`${OFFER}?${API}`);
    assert.equal(offer.json().status, 'succeeded');
    const production = await call(`${OFFER}/slot/Production?${API}`);
    assert.equal(production.status, 200, production.text);
    assert.deepEqual(content(production.json()), content(published));
    assert.deepEqual(content((await call(`${OFFER}/slot/Preview?${API}`)).json()), content(published));
    assert.deepEqual(content(offer.json()), content(editedDuringPublish), 'the draft still holds the acknowledged edit');
    const submissions = await call(`${OFFER}/submissions?${API}`);
    assert.deepEqual(
      submissions.json().map((s: any) => [s.submissionType, s.status]),
      [
        ['golive', 'completed'],
        ['publish', 'completed'],
      ],
    );
    assert.equal(submissions.json()[0].id, operationId);
  });
});

describe(`durability: waiting for a lease another instance holds (${TEST_STORE})`, () => {
  let backend: TestStore;
  let store: Store;
  let engine: WorkflowEngine | undefined;
  before(async () => {
    backend = await openTestStore();
    store = backend.store;
  });
  after(async () => {
    await engine?.stop();
    await backend?.close();
  });

  it('the engine polls at its interval, not in a busy loop, and takes the step over when the lease expires', async () => {
    assert.ok(await loadDemoData(store));
    const { operation } = await store.startPublish(
      'contoso',
      DEMO_OFFER_ID,
      { operationId: randomUUID(), notificationEmails: null, firstStep: { startedMs: Date.now(), dueMs: Date.now() } },
      () => {},
      localAudit(),
    );
    // Another instance (since dead) claimed the first step, which is due now, for 2 s.
    const leaseMs = 2_000;
    const claimedAt = Date.now();
    const claim = await store.claimDueStep('another-instance', claimedAt, leaseMs);
    assert.equal(claim?.operation.id, operation.id);
    assert.equal(claim?.stepId, 'displaydummycertify');

    let attempts = 0;
    const counting = new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== 'function') return value;
        if (property === 'claimDueStep') {
          return (...args: Parameters<Store['claimDueStep']>) => {
            attempts++;
            return target.claimDueStep(...args);
          };
        }
        return value.bind(target);
      },
    });
    const pollMs = 250;
    engine = new WorkflowEngine(counting, { durations: fixedDurations(60_000), pollMs });
    engine.start();
    await sleep(1_000);
    const attemptsInOneSecond = attempts;
    const stepsMeanwhile = (await store.getOperation('contoso', DEMO_OFFER_ID, operation.id))!.steps;
    assert.equal(stepsMeanwhile[0]!.status, 'inProgress', 'not run while the lease lasts');
    // One attempt at start, then one per poll interval; a due step it cannot take is no reason to
    // retry at once (each attempt takes the database's write lock, competing with every writer).
    assert.ok(
      attemptsInOneSecond <= 2 + 1_000 / pollMs,
      `the engine tried to claim ${attemptsInOneSecond} times in 1 s while the only due step was leased elsewhere (poll interval ${pollMs} ms)`,
    );

    const taken = await until(
      'the step to be taken over',
      async () => {
        const steps = (await store.getOperation('contoso', DEMO_OFFER_ID, operation.id))!.steps;
        return steps[0]!.status === 'inProgress' ? undefined : steps;
      },
      10_000,
      50,
    );
    assert.ok(Date.now() >= claimedAt + leaseMs, 'not before the lease expired');
    assert.equal(taken[0]!.status, 'complete');
    assert.equal(taken[1]!.status, 'inProgress', 'the operation moved on');
  });
});
