/**
 * Is every stored offer still readable and consistent? Used after the fuzzer and after every
 * crash: each offer of the list answers in every form (draft, each version, each slot) with one
 * ETag; its version counts its publishes; its status and slots are what its operations left.
 */

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export type Get = (path: string, method?: string) => Promise<Reply>;

const API = 'api-version=2017-10-31';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parse(reply: Reply, what: string, problems: string[]): any {
  try {
    return JSON.parse(reply.text);
  } catch {
    problems.push(`${what}: not JSON (${reply.status} ${reply.text.slice(0, 100)})`);
    return undefined;
  }
}

/** Waits until no operation of the publisher's offers is running; returns the offers still running at the deadline. */
export async function waitForIdle(get: Get, publisherId: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await get(`/api/publishers/${publisherId}/offers?${API}`);
    const running =
      list.status === 200
        ? (JSON.parse(list.text) as any[]).filter((offer) => offer.status === 'running').map((offer) => offer.id as string)
        : ['(list failed)'];
    if (running.length === 0 || Date.now() > deadline) return running;
    await sleep(50);
  }
}

/** The offer status the last finished operation leaves (the workflow's outcome table). */
export function statusAfter(operation: { submissionType: string; status: string } | undefined): string {
  if (!operation) return 'neverPublished';
  if (operation.status === 'failed') return 'failed';
  if (operation.status === 'canceled' || operation.submissionType === 'cancel') return 'canceled';
  return operation.submissionType === 'publish' ? 'waitingForPublisherReview' : 'succeeded';
}

export interface ConsistencyReport {
  offers: number;
  versions: number;
  operations: number;
  problems: string[];
}

/** Checks every offer of the publisher; call once nothing runs (waitForIdle). */
export async function checkOffers(get: Get, publisherId: string): Promise<ConsistencyReport> {
  const problems: string[] = [];
  const report: ConsistencyReport = { offers: 0, versions: 0, operations: 0, problems };
  const list = await get(`/api/publishers/${publisherId}/offers?${API}`);
  if (list.status !== 200) {
    problems.push(`list: ${list.status} ${list.text.slice(0, 200)}`);
    return report;
  }
  const summaries = parse(list, 'list', problems) as any[] | undefined;
  for (const summary of summaries ?? []) {
    report.offers++;
    const base = `/api/publishers/${publisherId}/offers/${summary.id}`;
    const where = `offer ${summary.id}`;
    const draftReply = await get(`${base}?${API}`);
    if (draftReply.status !== 200) {
      problems.push(`${where}: GET draft ${draftReply.status} ${draftReply.text.slice(0, 200)}`);
      continue;
    }
    const etag = draftReply.headers['etag'];
    if (!etag) problems.push(`${where}: no ETag`);
    const draft = parse(draftReply, `${where} draft`, problems);
    if (!draft) continue;
    if (draft.version !== summary.version) problems.push(`${where}: draft version ${draft.version}, list says ${summary.version}`);
    if (draft.status !== summary.status) problems.push(`${where}: draft status ${draft.status}, list says ${summary.status}`);
    if (draft.id !== summary.id || draft.publisherId !== publisherId) problems.push(`${where}: draft names ${draft.publisherId}/${draft.id}`);
    if (draft.offerTypeId !== summary.offerTypeId) problems.push(`${where}: draft type ${draft.offerTypeId}, list says ${summary.offerTypeId}`);
    if ((draft.definition?.displayText ?? '') !== (summary.definition?.displayText ?? '')) {
      problems.push(
        `${where}: draft displayText ${JSON.stringify(draft.definition?.displayText)?.slice(0, 80)}, list says ${JSON.stringify(summary.definition?.displayText)?.slice(0, 80)}`,
      );
    }

    const head = await get(`${base}?${API}`, 'HEAD');
    if (head.status !== 200 || head.headers['etag'] !== etag) problems.push(`${where}: HEAD ${head.status} ETag ${head.headers['etag']} (GET: ${etag})`);
    const draftSlot = await get(`${base}/slot/Draft?${API}`);
    if (draftSlot.status !== 200 || draftSlot.text !== draftReply.text || draftSlot.headers['etag'] !== etag)
      problems.push(`${where}: slot/Draft differs from the draft`);

    for (let version = 1; version <= draft.version; version++) {
      report.versions++;
      const reply = await get(`${base}/versions/${version}?${API}`);
      if (reply.status !== 200) {
        problems.push(`${where}: version ${version}: ${reply.status} ${reply.text.slice(0, 200)}`);
        continue;
      }
      const document = parse(reply, `${where} v${version}`, problems);
      if (document?.version !== version) problems.push(`${where}: versions/${version} says version ${document?.version}`);
      if (reply.headers['etag'] !== etag) problems.push(`${where}: versions/${version} ETag ${reply.headers['etag']} (draft: ${etag})`);
      if (document?.offerTypeId !== draft.offerTypeId) problems.push(`${where}: versions/${version} has type ${document?.offerTypeId}`);
    }
    const beyond = await get(`${base}/versions/${draft.version + 1}?${API}`);
    if (beyond.status !== 404) problems.push(`${where}: versions/${draft.version + 1} answered ${beyond.status}`);

    const submissionsReply = await get(`${base}/submissions?${API}`);
    const submissions = (submissionsReply.status === 200 ? parse(submissionsReply, `${where} submissions`, problems) : undefined) as any[] | undefined;
    if (!submissions) {
      problems.push(`${where}: submissions ${submissionsReply.status}`);
      continue;
    }
    report.operations += submissions.length;
    const running = submissions.filter((operation) => operation.status === 'running');
    if (running.length > 0) problems.push(`${where}: ${running.length} operations still running`);
    const publishes = submissions.filter((operation) => operation.submissionType === 'publish').length;
    if (draft.version !== 1 + publishes) problems.push(`${where}: version ${draft.version} after ${publishes} publishes`);
    const finished = submissions.filter((operation) => operation.status !== 'running');
    if (running.length === 0 && draft.status !== statusAfter(finished[0])) {
      problems.push(
        `${where}: status ${draft.status}, but the last operation (${finished[0]?.submissionType} ${finished[0]?.status}) leaves ${statusAfter(finished[0])}`,
      );
    }
    const status = await get(`${base}/status?${API}`);
    const statusBody = status.status === 200 ? parse(status, `${where} status`, problems) : undefined;
    if (statusBody?.status !== draft.status) problems.push(`${where}: /status says ${statusBody?.status ?? status.status}, the draft ${draft.status}`);

    for (const [slot, type] of [
      ['Preview', 'publish'],
      ['Production', 'golive'],
    ] as const) {
      const reply = await get(`${base}/slot/${slot}?${API}`);
      const expected = submissions.find((operation) => operation.submissionType === type && operation.status === 'completed');
      if (!expected) {
        if (reply.status !== 404) problems.push(`${where}: ${slot} answered ${reply.status} though no ${type} completed`);
        continue;
      }
      if (reply.status !== 200) {
        problems.push(`${where}: ${slot}: ${reply.status} ${reply.text.slice(0, 200)}`);
        continue;
      }
      const document = parse(reply, `${where} ${slot}`, problems);
      if (document?.version !== expected.publishingVersion)
        problems.push(`${where}: ${slot} holds version ${document?.version}, the last completed ${type} was of ${expected.publishingVersion}`);
      if (!(document?.version < draft.version))
        problems.push(`${where}: ${slot} holds version ${document?.version}, not a frozen one (draft ${draft.version})`);
      if (reply.headers['etag'] !== etag) problems.push(`${where}: ${slot} ETag differs from the draft's`);
      const byNumber = await get(`${base}/versions/${document?.version}?${API}`);
      if (byNumber.text !== reply.text) problems.push(`${where}: ${slot} and versions/${document?.version} differ`);
    }
  }
  return report;
}

/**
 * The audit trail ends where each offer stands (D95): the newest record about an offer has the
 * offer's ETag as its ETag after — every write that moved it was recorded, in its own transaction.
 * Only offers loaded without the API (`loaded`: the demo offer) may have no record.
 */
export async function checkAuditTrail(get: Get, publisherId: string, loaded: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const list = await get(`/api/publishers/${publisherId}/offers?${API}`);
  for (const summary of (parse(list, 'list', problems) as Array<{ id: string }> | undefined) ?? []) {
    const offer = await get(`/api/publishers/${publisherId}/offers/${summary.id}?${API}`);
    const audit = await get(`/_cloudpartner/audit?publisherId=${publisherId}&offerId=${summary.id}&limit=1`);
    if (audit.status !== 200) {
      problems.push(`audit of ${summary.id}: ${audit.status} ${audit.text.slice(0, 200)}`);
      continue;
    }
    const newest = (parse(audit, `audit of ${summary.id}`, problems) as { value: Array<{ action: string; etagAfter: string | null }> } | undefined)?.value[0];
    if (!newest && loaded.includes(summary.id)) continue;
    if (newest?.etagAfter !== offer.headers['etag'])
      problems.push(
        `audit of ${summary.id}: the newest record (${newest?.action ?? 'none'}) ends at ${newest?.etagAfter}, the offer is at ${offer.headers['etag']}`,
      );
  }
  return problems;
}
