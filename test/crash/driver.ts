/**
 * Crash consistency: start a real server, drive concurrent PUTs, publishes, go-lives and cancels
 * against it, SIGKILL it at a random moment, restart it on the same data, and check — from the
 * clients' own record of what was acknowledged — that
 *
 *   - every acknowledged write is there exactly as acknowledged: each offer's draft (document and
 *     secret values), each version a publish froze, each operation started;
 *   - nothing unacknowledged is half-applied: a request in flight at the kill either took effect
 *     entirely (the draft is the one sent, with its secret; a publish froze its version, started
 *     its operation and moved the draft on) or not at all;
 *   - every operation reaches a terminal state, and every offer is consistent (fuzz/consistency.ts);
 *
 * then go on with the next round on the same data. Each client owns its offers and sends one
 * request at a time to each, so what an offer must hold is known exactly; the clients run
 * concurrently, so the kill lands among transactions in flight.
 */
import { isDeepStrictEqual } from 'node:util';
import { rmSync } from 'node:fs';
import { extractSecrets } from '../../src/domain/secret-fields.ts';
import { openStore } from '../../src/store/open.ts';
import { makeDataDir } from '../helpers/harness.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { createDatabase, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { BIN, cleanEnv, startProcess, type ServerProcess } from '../helpers/processes.ts';
import { checkAuditTrail, checkOffers, waitForIdle } from '../fuzz/consistency.ts';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { Rng } from '../fuzz/rng.ts';

const API = 'api-version=2017-10-31';
const SECRET_POINTER = '/offer/microsoft-azure-marketplace.marketoLeadConfiguration/clientSecret';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CrashOptions {
  store: 'sqlite' | 'postgres';
  /** Rounds of start → load → SIGKILL → restart → verify. */
  iterations: number;
  seed: number;
  /** Concurrent clients, each with its own offers. */
  clients: number;
  offersPerClient: number;
  /** Publishing step duration of the server, ms. */
  stepMs: number;
  /** The kill comes this long after the load starts: [min, max] ms. */
  killAfterMs: [number, number];
  /** How long operations may take to finish after a restart (a step leased by the dead server waits out its 10 s lease). */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  iterations: number;
  kills: number;
  /** Acknowledged requests, by kind. */
  acknowledged: Record<string, number>;
  /** Requests in flight at a kill, and how each ended up. */
  inDoubt: { applied: number; notApplied: number };
  /** Acknowledged facts checked after restarts: drafts, their secrets, frozen versions, operations. */
  verified: number;
  operations: number;
  problems: string[];
  durationMs: number;
}

type Definition = Record<string, unknown>;

interface Pending {
  kind: 'create' | 'edit' | 'publish' | 'golive' | 'cancel';
  /** create/edit: the definition sent (secrets removed) and the secret value sent. */
  definition?: Definition;
  secret?: string;
}

interface OfferModel {
  id: string;
  exists: boolean;
  etag: string | undefined;
  /** The last acknowledged draft: its definition (secrets removed), secret value and version. */
  draft: Definition | undefined;
  secret: string | undefined;
  version: number;
  /** version → the definition and secret a publish froze (acknowledged). */
  frozen: Map<number, { definition: Definition; secret: string | undefined }>;
  /** Operation ids acknowledged (202, or a cancel's 200), with what the acknowledgement said. */
  operations: Map<string, { type: string; canceled: boolean }>;
  /** The request in flight when the server died, if any. */
  pending: Pending | undefined;
  counter: number;
}

interface Server {
  process: ServerProcess;
  url: string;
}

/** The server was killed under a request; `sent` says whether the request had gone out. */
class Killed extends Error {
  constructor(readonly sent: boolean) {
    super('killed');
  }
}

/** Removes the secret-type fields from a definition (what GET returns) and gives the secret value. */
function split(document: Record<string, unknown>): { definition: Definition; secret: string | undefined } {
  const definition = structuredClone(document['definition']) as Definition;
  const secrets = extractSecrets(definition, String(document['offerTypeId']));
  const secret = secrets.find((s) => s.pointer === SECRET_POINTER)?.value;
  return { definition, secret: typeof secret === 'string' ? secret : undefined };
}

function newDocument(rng: Rng, model: OfferModel): Record<string, unknown> {
  const document = publishableOffer(model.id);
  const definition = document['definition'] as Record<string, any>;
  model.counter++;
  definition['displayText'] = `${model.id} #${model.counter}`;
  definition['offer']['microsoft-azure-marketplace.marketoLeadConfiguration'] = {
    clientId: 'crash-client',
    clientSecret: `CRASH-SECRET-${model.id}-${model.counter}-${rng.hex(8)}`,
    munchkinId: '123-ABC-456',
  };
  // Some writes are large, so that a kill lands inside one more often.
  if (rng.chance(0.3)) definition['offer']['microsoft-azure-marketplace.longSummary'] = 'x'.repeat(rng.int(10_000, 300_000));
  return document;
}

export async function runCrashTest(options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const rng = new Rng(options.seed);
  const report: CrashReport = {
    iterations: 0,
    kills: 0,
    acknowledged: { create: 0, edit: 0, publish: 0, golive: 0, cancel: 0 },
    inDoubt: { applied: 0, notApplied: 0 },
    verified: 0,
    operations: 0,
    problems: [],
    durationMs: 0,
  };
  const problem = (text: string) => {
    report.problems.push(text);
    log(`PROBLEM ${text}`);
  };

  const dataDir = makeDataDir();
  let postgres: PostgresServer | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  if (options.store === 'postgres') {
    postgres = await startPostgres();
    database = await createDatabase(postgres);
  }
  const storeFlags = ['--data-dir', dataDir, ...(database ? ['--database-url', database.url] : [])];
  let token = '';
  let server: Server | undefined;
  const start = async (first: boolean): Promise<Server> => {
    const child = await startProcess(
      process.execPath,
      // A step the killed server held is taken over once its lease expires: 1 s instead of 10 keeps rounds short.
      [
        BIN,
        'serve',
        ...(first ? ['--demo'] : []),
        '--port',
        '0',
        '--log-level',
        'warn',
        '--step-duration-ms',
        String(options.stepMs),
        '--step-lease-ms',
        '1000',
        ...storeFlags,
      ],
      cleanEnv(),
    );
    if (first) token = /cpat_[A-Za-z0-9_-]{43}/.exec(child.output())?.[0] ?? '';
    return { process: child, url: child.url };
  };

  const models: OfferModel[][] = Array.from({ length: options.clients }, (_, client) =>
    Array.from({ length: options.offersPerClient }, (_, n) => ({
      id: `crash-${client}-${n}`,
      exists: false,
      etag: undefined,
      draft: undefined,
      secret: undefined,
      version: 0,
      frozen: new Map(),
      operations: new Map(),
      pending: undefined,
      counter: 0,
    })),
  );

  let outstanding = 0;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const target = server;
    if (!target) throw new Killed(false);
    let res: globalThis.Response;
    outstanding++;
    try {
      res = await fetch(target.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      return { status: res.status, headers: Object.fromEntries(res.headers), text, json: () => JSON.parse(text) };
    } catch (error) {
      if (server !== target) throw new Killed(true); // the server died under this request
      throw error;
    } finally {
      outstanding--;
    }
  };

  /** One client: picks one of its offers and an action, sends it, records what was acknowledged. */
  const client = async (offers: OfferModel[], clientRng: Rng, stop: { killed: boolean }) => {
    while (!stop.killed) {
      const model = clientRng.pick(offers);
      const action: Pending['kind'] = !model.exists
        ? 'create'
        : clientRng.weighted<Pending['kind']>([
            [10, 'edit'],
            [4, 'publish'],
            [3, 'golive'],
            [2, 'cancel'],
          ]);
      try {
        if (action === 'create' || action === 'edit') {
          const document = newDocument(clientRng, model);
          const { definition, secret } = split(document);
          model.pending = { kind: action, definition, ...(secret ? { secret } : {}) };
          const ifMatch: Record<string, string> = action === 'create' ? {} : { 'if-match': clientRng.chance(0.2) || !model.etag ? '*' : model.etag };
          const res = await call('PUT', `/api/publishers/contoso/offers/${model.id}?${API}`, document, ifMatch);
          model.pending = undefined;
          if (res.status === 200 || res.status === 201) {
            report.acknowledged[action]!++;
            const stored = res.json();
            if (!isDeepStrictEqual(stored.definition, definition)) problem(`${model.id}: the PUT was answered with another document than the one sent`);
            if (model.exists && stored.version !== model.version) problem(`${model.id}: PUT answered version ${stored.version}, expected ${model.version}`);
            model.exists = true;
            model.draft = definition;
            model.secret = secret;
            model.version = stored.version;
            model.etag = res.headers['etag'];
          } else if (res.status === 412) {
            const current = await call('GET', `/api/publishers/contoso/offers/${model.id}?${API}`);
            model.etag = current.headers['etag'];
          } else {
            problem(`${model.id}: PUT (${action}) answered ${res.status} ${res.text.slice(0, 200)}`);
          }
        } else {
          model.pending = { kind: action };
          const res = await call('POST', `/api/publishers/contoso/offers/${model.id}/${action}?${API}`);
          model.pending = undefined;
          if (res.status === 202 || (action === 'cancel' && res.status === 200)) {
            const operation = res.json();
            report.acknowledged[action]!++;
            if (action === 'publish' && !model.operations.has(operation.id)) {
              // A new publish froze the draft as version n; the draft is now n + 1.
              if (operation.publishingVersion !== model.version)
                problem(`${model.id}: publish froze version ${operation.publishingVersion}, expected ${model.version}`);
              model.frozen.set(model.version, { definition: model.draft!, secret: model.secret });
              model.version++;
            }
            const known = model.operations.get(operation.id);
            model.operations.set(operation.id, {
              type: operation.submissionType,
              canceled: (known?.canceled ?? false) || (action === 'cancel' && res.status === 200),
            });
          } else if (res.status !== 409 && res.status !== 422) {
            problem(`${model.id}: ${action} answered ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
      } catch (error) {
        if (error instanceof Killed) {
          if (!error.sent) model.pending = undefined;
          return; // a request that went out stays pending: in doubt
        }
        throw error;
      }
    }
  };

  /** Reads one offer from the server after a restart and compares it with what was acknowledged. */
  const verify = async (model: OfferModel, secrets: Map<string, Map<number, unknown>>) => {
    const pending = model.pending;
    const draftReply = await call('GET', `/api/publishers/contoso/offers/${model.id}?${API}`);
    if (!model.exists && draftReply.status === 404) {
      if (pending?.kind === 'create') report.inDoubt.notApplied++;
      model.pending = undefined;
      return;
    }
    if (draftReply.status !== 200) return problem(`${model.id}: GET ${draftReply.status} ${draftReply.text.slice(0, 200)}`);
    const draft = draftReply.json();
    const storedSecrets = secrets.get(model.id) ?? new Map<number, unknown>();

    // The draft is the last acknowledged one, or the one in flight — never anything else.
    const candidates: Array<{ definition: Definition | undefined; secret: string | undefined; applied: boolean }> = [];
    if (model.exists) candidates.push({ definition: model.draft, secret: model.secret, applied: false });
    if (pending?.kind === 'create' || pending?.kind === 'edit') candidates.push({ definition: pending.definition, secret: pending.secret, applied: true });
    const match = candidates.find(
      (candidate) => isDeepStrictEqual(candidate.definition, draft.definition) && storedSecrets.get(draft.version) === candidate.secret,
    );
    if (!match) {
      problem(
        `${model.id}: the draft (v${draft.version}, "${draft.definition?.displayText}", secret ${String(storedSecrets.get(draft.version))}) is neither the acknowledged one ("${String(model.draft?.['displayText'])}", ${model.secret}) nor the one in flight (${pending?.definition ? `"${String(pending.definition['displayText'])}", ${pending.secret}` : 'none'})`,
      );
      return;
    }
    report.verified += 2; // the document and its secret
    if (pending?.kind === 'create' || pending?.kind === 'edit') report.inDoubt[match.applied ? 'applied' : 'notApplied']++;
    model.exists = true;
    model.draft = match.definition;
    model.secret = match.secret;
    model.etag = draftReply.headers['etag'];

    // Operations: every acknowledged one is there; one more only for an operation request in flight.
    const submissions = (await call('GET', `/api/publishers/contoso/offers/${model.id}/submissions?${API}`)).json() as any[];
    for (const [id, acknowledged] of model.operations) {
      const found = submissions.find((operation) => operation.id === id);
      if (!found) problem(`${model.id}: acknowledged ${acknowledged.type} operation ${id} is missing`);
      else if (found.submissionType !== acknowledged.type)
        problem(`${model.id}: operation ${id} is a ${found.submissionType}, acknowledged as a ${acknowledged.type}`);
      else if (acknowledged.canceled && found.status !== 'canceled') problem(`${model.id}: operation ${id} was acknowledged canceled but is ${found.status}`);
      else report.verified++;
    }
    const unknown = submissions.filter((operation) => !model.operations.has(operation.id));
    const operationPending = pending?.kind === 'publish' || pending?.kind === 'golive' || pending?.kind === 'cancel';
    if (unknown.length > (operationPending ? 1 : 0))
      problem(`${model.id}: ${unknown.length} operations nobody acknowledged: ${unknown.map((o) => `${o.submissionType} ${o.id}`).join(', ')}`);
    const started = unknown[0];
    if (started && operationPending && started.submissionType !== pending.kind) {
      problem(`${model.id}: a ${pending.kind} was in flight, but the unacknowledged operation is a ${started.submissionType}`);
    }

    // Versions: a publish in flight either froze its version (and moved the draft on) or did nothing.
    let expectedVersion = model.version;
    if (started?.submissionType === 'publish') {
      if (started.publishingVersion !== model.version)
        problem(`${model.id}: the publish in flight froze version ${started.publishingVersion}, the draft was ${model.version}`);
      model.frozen.set(model.version, { definition: model.draft!, secret: model.secret });
      expectedVersion++;
    }
    if (operationPending) report.inDoubt[started ? 'applied' : 'notApplied']++;
    for (const operation of unknown) model.operations.set(operation.id, { type: operation.submissionType, canceled: false });
    if (pending?.kind === 'cancel') {
      // A cancel in flight that stopped a publish at once leaves no operation of its own.
      for (const operation of submissions)
        if (operation.status === 'canceled' && model.operations.get(operation.id)) model.operations.get(operation.id)!.canceled = true;
    }
    if (draft.version !== expectedVersion) problem(`${model.id}: draft is version ${draft.version}, expected ${expectedVersion}`);
    model.version = draft.version;
    for (const [version, frozen] of model.frozen) {
      const reply = await call('GET', `/api/publishers/contoso/offers/${model.id}/versions/${version}?${API}`);
      if (reply.status !== 200) {
        problem(`${model.id}: frozen version ${version}: ${reply.status}`);
        continue;
      }
      if (!isDeepStrictEqual(reply.json().definition, frozen.definition)) problem(`${model.id}: version ${version} is not the draft its publish froze`);
      else if (storedSecrets.get(version) !== frozen.secret)
        problem(`${model.id}: version ${version} has secret ${String(storedSecrets.get(version))}, froze ${frozen.secret}`);
      else report.verified += 2;
    }
    model.pending = undefined;
  };

  /** Secret values of every version of every offer, read from the store itself while no server runs. */
  const readSecrets = async (): Promise<Map<string, Map<number, unknown>>> => {
    const store = await openStore({ dataDir, ...(database ? { databaseUrl: database.url } : {}) });
    try {
      const out = new Map<string, Map<number, unknown>>();
      for (const model of models.flat()) {
        const offer = await store.getOffer('contoso', model.id);
        if (!offer) continue;
        const versions = new Map<number, unknown>();
        for (let version = 1; version <= offer.version; version++) {
          versions.set(version, (await store.getVersionSecrets('contoso', model.id, version)).find((s) => s.pointer === SECRET_POINTER)?.value);
        }
        out.set(model.id, versions);
      }
      return out;
    } finally {
      await store.close();
    }
  };

  try {
    server = await start(true);
    if (!token) throw new Error('no demo token in the banner');
    for (let iteration = 1; iteration <= options.iterations; iteration++) {
      const roundStarted = performance.now();
      const stop = { killed: false };
      const clients = models.map((offers, index) => client(offers, Rng.forItem(options.seed, iteration * 1000 + index), stop));
      const killAfter = rng.int(options.killAfterMs[0], options.killAfterMs[1]);
      await sleep(killAfter);
      const victim = server!;
      const outstandingAtKill = outstanding;
      stop.killed = true;
      server = undefined;
      await victim.process.stop('SIGKILL');
      report.kills++;
      await Promise.all(clients);
      const inFlight = models.flat().filter((model) => model.pending).length;

      const secrets = await readSecrets();
      const restarting = performance.now();
      server = await start(false);
      const restartMs = performance.now() - restarting;
      for (const model of models.flat()) await verify(model, secrets);
      const get = async (path: string, method = 'GET') => call(method, path);
      const settling = performance.now();
      const running = await waitForIdle(get, 'contoso', options.settleTimeoutMs ?? 30_000);
      const settleMs = performance.now() - settling;
      if (running.length > 0)
        problem(`round ${iteration}: operations still running ${options.settleTimeoutMs ?? 30_000} ms after the restart: ${running.join(', ')}`);
      const consistency = await checkOffers(get, 'contoso');
      for (const text of consistency.problems) problem(`round ${iteration}: ${text}`);
      for (const text of await checkAuditTrail(get, 'contoso', [DEMO_OFFER_ID])) problem(`round ${iteration}: ${text}`);
      report.operations = consistency.operations;
      report.iterations++;
      log(
        `round ${iteration}: killed after ${killAfter} ms with ${inFlight} writes in flight (${outstandingAtKill} requests); ${Object.values(report.acknowledged).reduce((a, b) => a + b, 0)} acknowledged so far, ` +
          `${report.verified} facts verified, ${consistency.operations} operations, all terminal: ${running.length === 0} ` +
          `(round ${((performance.now() - roundStarted) / 1000).toFixed(1)} s: restart ${(restartMs / 1000).toFixed(1)} s, operations ended ${(settleMs / 1000).toFixed(1)} s after the checks)`,
      );
    }
  } finally {
    await server?.process.stop('SIGKILL');
    await database?.drop();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  report.durationMs = performance.now() - started;
  return report;
}
