/**
 * The console in a real browser (Debian's Chromium through playwright-core) against a real
 * `cloudpartner serve --demo` process: sign in from the printed link, the offers list, editing and
 * saving the draft, an ETag conflict with a second writer, publish and go live on the live
 * timeline, compare, history, members and applications, a sandbox fault seen in the timeline.
 * Every page is photographed at 1280×800 and 390×844 (test-results/console/) and checked by axe-core.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CloudPartnerClient } from '../../src/client/index.ts';
import { DEMO_OFFER_ID, DEMO_PUBLISHER } from '../../src/demo/demo-data.ts';
import { VIEWPORTS, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { recordSecret, recordToken } from '../helpers/capture.ts';
import { BIN, type ServerProcess, cleanEnv, startProcess } from '../helpers/processes.ts';

const AXE_SOURCE = readFileSync(join(new URL('../..', import.meta.url).pathname, 'node_modules/axe-core/axe.min.js'), 'utf8');
const TITLE_KEY = 'microsoft-azure-marketplace.title';
const LEAD_SECRET = 'DefaultEndpointsProtocol=https;AccountName=leads;AccountKey=CONSOLE-SECRET-KEY==';
const OFFER_PATH = `#/offers/${DEMO_PUBLISHER.id}/${DEMO_OFFER_ID}`;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core in the page; the serious and critical violations. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's content-security policy does not govern.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describe('the console in Chromium', () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let signInLink: string;
  let token: string;
  let sandboxToken: string;
  let api: CloudPartnerClient;
  let page: Page;
  let pageProblems: string[];
  const pages = new Map<string, string>();

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudpartner-console-'));
    server = await startProcess(process.execPath, [BIN, 'serve', '--demo', '--port', '0', '--data-dir', dataDir, '--step-duration-ms', '0'], cleanEnv());
    const link = /^\s*(https?:\/\/\S+\/console\/#\S+)$/m.exec(server.output());
    assert.ok(link, `the banner prints a sign-in link:\n${server.output()}`);
    signInLink = link[1]!;
    const fragment = new URLSearchParams(new URL(signInLink).hash.slice(1));
    token = fragment.get('token')!;
    sandboxToken = fragment.get('sandboxToken')!;
    recordToken(token);
    recordToken(sandboxToken);
    api = new CloudPartnerClient({ endpoint: server.url, token, publisherId: DEMO_PUBLISHER.id });
    browser = await launchBrowser();
    ({ page, problems: pageProblems } = await openPage(browser));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Photographs the page at both sizes, checks it with axe, and returns to the desktop size. */
  async function capture(name: string): Promise<void> {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      pages.set(`${name}-${size}`, await screenshot(page, name));
    }
    assert.deepEqual(await accessibilityProblems(page), [], `axe on the ${name} page`);
    await page.setViewportSize(VIEWPORTS.desktop);
  }

  test('the page is served under a strict content-security policy, its assets cached for a year', async () => {
    const response = await fetch(`${server.url}/console/`);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    const script = /src="(\/console\/assets\/app-[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script);
    const asset = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await fetch(`${server.url}/console/assets/app-missing.js`)).status, 404);
  });

  test('the printed link signs in, and the token leaves the address bar at once', async () => {
    await page.goto(signInLink);
    await page.getByRole('heading', { name: 'All offers' }).waitFor();
    assert.ok(!page.url().includes(token), 'the token is gone from the URL');
    assert.equal(new URL(page.url()).hash, '#/offers');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('cloudpartner.token')), token);
    await page.getByRole('link', { name: `${DEMO_PUBLISHER.id}/${DEMO_OFFER_ID}` }).waitFor();
    await capture('offers');
  });

  test("the server's messages in the browser's language: a Russian browser gets the refusal of a bad token in Russian", async () => {
    const { page: russian, problems } = await openPage(browser, VIEWPORTS.desktop, 'ru-RU');
    try {
      await russian.goto(`${server.url}/console/`);
      await russian.getByRole('heading', { name: 'Sign in to cloudpartner' }).waitFor();
      await russian.getByLabel('Access token').fill('not-a-token');
      const answer = russian.waitForResponse((response) => response.url().includes('/api/'));
      await russian.getByRole('button', { name: 'Sign in' }).click();
      assert.equal((await answer).headers()['content-language'], 'ru');
      await russian.getByRole('alert').filter({ hasText: 'Маркер доступа недействителен' }).waitFor();
      assert.match((await russian.getByRole('alert').textContent()) ?? '', /InvalidToken/, 'the code stays as it is');
      assert.deepEqual(
        problems.filter((problem) => !/401/.test(problem)),
        [],
      );
    } finally {
      await russian.context().close();
    }
  });

  test('signing out forgets the token; signing in with it by hand works', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to cloudpartner' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('cloudpartner.token')), null);
    await capture('sign-in');
    await page.getByLabel('Access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'InvalidToken' }).waitFor();
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'All offers' }).waitFor();
    // The sandbox token went with the sign-out: the link gives it back.
    await page.goto(signInLink);
    await page.getByRole('heading', { name: 'All offers' }).waitFor();
  });

  test('the list filters by status and type and searches by id or name', async () => {
    await api.putOffer({
      ...(await api.getOffer(DEMO_OFFER_ID)).offer,
      id: 'second-offer',
      definition: { ...(await api.getOffer(DEMO_OFFER_ID)).offer.definition, displayText: 'Fabrikam Second Offer' },
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('2 of 2 offers').waitFor();
    await page.getByLabel('Search').fill('fabrikam');
    await page.getByText('1 of 2 offers').waitFor();
    assert.equal(await page.getByRole('link', { name: `${DEMO_PUBLISHER.id}/second-offer` }).count(), 1);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Status').selectOption('neverPublished');
    await page.getByText('1 of 2 offers').waitFor();
    assert.equal(await page.getByRole('link', { name: `${DEMO_PUBLISHER.id}/${DEMO_OFFER_ID}` }).count(), 0);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Type').selectOption('microsoft-azure-virtualmachines');
    await page.getByText('2 of 2 offers').waitFor();
  });

  test('the draft opens by tabs, validates as you type, and saves with If-Match', async () => {
    await page.goto(`${new URL(signInLink).origin}/console/${OFFER_PATH}/marketplace`);
    const title = page.locator(`[data-path="$.definition.offer['${TITLE_KEY}']"] input`);
    await title.waitFor();
    await capture('offer-marketplace');
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('heading', { name: 'VM images' }).first().waitFor();
    await capture('offer-plans');
    // An image version added in place is checked at once: it has no VHD yet.
    await page.getByLabel('New image version').first().fill('1.0.2');
    await page.getByRole('button', { name: 'Add an image version' }).first().click();
    await page.getByRole('rowheader', { name: '1.0.2' }).waitFor();
    await page.locator('.vm-images .problems', { hasText: "['1.0.2']" }).first().waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    assert.equal(await page.getByRole('rowheader', { name: '1.0.2' }).count(), 0);
    await page.getByRole('link', { name: 'Support & leads' }).click();
    const email = page.locator(`[data-path="$.definition.offer['microsoft-azure-marketplace.supportContactEmail']"]`);
    await email.locator('input').fill('not an e-mail');
    // The server's report, field by field, while typing (nothing saved).
    await email.locator('.problems').waitFor();
    assert.match(await email.locator('.problems').innerText(), /mail/i);
    assert.equal((await api.getOffer(DEMO_OFFER_ID)).offer.definition.offer?.['microsoft-azure-marketplace.supportContactEmail'], 'jondoe@outlook.com');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    assert.equal(await email.locator('.problems').count(), 0);
    assert.equal(await page.getByText('Secret fields').count(), 1, 'the support tab lists the secret lead fields');
    // A secret is typed, saved, then shown as set — and its value is in no answer the page gets.
    const secretInput = page.getByLabel('tableLeadConfiguration · storageAccountConnectionString');
    const secretField = page.locator('.secrets .field', { has: secretInput });
    assert.equal(await secretField.locator('.badge').innerText(), 'unset');
    recordSecret(LEAD_SECRET);
    await secretInput.fill(LEAD_SECRET);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await secretField.locator('.badge', { hasText: /^set$/ }).waitFor();
    assert.equal(await secretInput.inputValue(), '');
    assert.ok(!(await page.content()).includes(LEAD_SECRET));
    await capture('offer-support');

    const before = await api.getOffer(DEMO_OFFER_ID);
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await title.fill('Contoso App, edited in the console');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const after = await api.getOffer(DEMO_OFFER_ID);
    assert.equal(after.offer.definition.offer?.[TITLE_KEY], 'Contoso App, edited in the console');
    assert.notEqual(after.etag, before.etag);
    assert.ok(await page.getByText(after.etag, { exact: true }).isVisible(), 'the page shows the new ETag');
  });

  test('a second writer wins the race: the conflict shows their change, and overwrite keeps mine', async () => {
    await api.updateOffer(DEMO_OFFER_ID, (offer) => {
      offer.definition.offer![`microsoft-azure-marketplace.summary`] = 'Summary from a script';
    });
    const title = page.locator(`[data-path="$.definition.offer['${TITLE_KEY}']"] input`);
    await title.fill('Title from the console');
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone else saved this offer' });
    await conflict.waitFor();
    assert.match(await conflict.innerText(), /Summary from a script/);
    await capture('offer-conflict');
    await conflict.getByRole('button', { name: 'Overwrite with mine' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const stored = (await api.getOffer(DEMO_OFFER_ID)).offer.definition.offer!;
    assert.equal(stored[TITLE_KEY], 'Title from the console');
  });

  test('publish: the timeline updates without a reload until sign-off; go live reaches production', async () => {
    // Certification held by a sandbox rule, so the timeline is seen moving, then released.
    const hold = await api.withPublisher(DEMO_PUBLISHER.id);
    const admin = new CloudPartnerClient({ endpoint: server.url, token: sandboxToken });
    const rule = await admin.sandbox.addFault({ match: { offerId: DEMO_OFFER_ID, operation: 'publish' }, effect: { block: true } });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('heading', { name: /^Status/ }).waitFor();
    await page.locator('.live').waitFor();
    await capture('offer-status-running');
    await admin.sandbox.removeFault(rule.id);
    await page.locator('.step.waitingForPublisherReview').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.live').count(), 0, 'nothing moves at sign-off');
    assert.equal((await hold.getStatus(DEMO_OFFER_ID)).status, 'waitingForPublisherReview');
    await capture('offer-status');

    await page.getByRole('button', { name: 'Go live' }).click();
    await page.locator('h2 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    const live = await api.getOffer(DEMO_OFFER_ID, { slot: 'production' });
    assert.equal(live.offer.definition.offer?.[TITLE_KEY], 'Title from the console');
  });

  test('compare shows what changed between two versions', async () => {
    await api.updateOffer(DEMO_OFFER_ID, (offer) => {
      offer.definition.offer![TITLE_KEY] = 'The next title';
    });
    await page.getByRole('link', { name: 'Compare' }).click();
    // Version 5 is the one that went live; the draft has moved on.
    await page.getByLabel('From').selectOption('5');
    await page.getByLabel('To').selectOption('draft');
    const row = page.locator('table.changes tr', { hasText: TITLE_KEY });
    await row.waitFor();
    assert.match(await row.innerText(), /Title from the console/);
    assert.match(await row.innerText(), /The next title/);
    assert.equal(await page.locator('table.changes tbody tr').count(), 1, 'only the title differs');
    await capture('offer-compare');
  });

  test("history lists every operation newest first, with its steps, and beside them the offer's audit trail", async () => {
    await page.getByRole('link', { name: 'History' }).click();
    const operations = page.locator('.operations > li');
    await operations.first().waitFor();
    const submissions = await api.listSubmissions(DEMO_OFFER_ID);
    assert.equal(await operations.count(), submissions.length);
    assert.match(await operations.first().innerText(), new RegExp(submissions[0]!.submissionType));
    await operations.first().getByRole('button').click();
    await operations.first().locator('.steps li').first().waitFor();
    // The audit trail: the writes of this session — the console's save, the second writer's, publish, go live — newest first.
    const rows = page.locator('table.audit-records tbody tr');
    await rows.first().waitFor();
    const { value: records } = await api.listAudit({ offerId: DEMO_OFFER_ID, limit: 50 });
    assert.equal(await rows.count(), records.length);
    const newest = records[0]!;
    assert.equal(newest.action, 'offer.update', 'the second writer edited the draft last');
    const first = await rows.first().innerText();
    assert.match(first, /offer\.update/);
    assert.ok(first.includes(newest.requestId!), `the request id ${newest.requestId} in ${first}`);
    assert.ok(first.includes(newest.etagAfter!));
    assert.ok(
      records.some((record) => record.action === 'offer.golive'),
      records.map((record) => record.action).join(', '),
    );
    assert.ok(!(await page.locator('table.audit-records').innerText()).includes(token), 'no token');
    await capture('offer-history');
  });

  test("the product ingestion face: the offer's resource tree beside its CPP document", async () => {
    await page.getByRole('link', { name: 'Product ingestion' }).click();
    const tree = page.locator('.resources > li');
    await tree.first().waitFor();
    const kinds = await page.locator('.resources summary strong').allInnerTexts();
    for (const kind of ['product', 'plan', 'listing']) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(', ')}`);
    assert.match(await page.locator('.side-by-side').innerText(), /"displayText"/);
    // The live target is the version that went live: the tree reads it, and the CPP side is Production.
    await page.getByLabel('Target').selectOption('live');
    await page.getByRole('heading', { name: 'CPP document (production)' }).waitFor();
    await tree.first().waitFor();
    await capture('offer-product');
  });

  test('a sandbox certification fault is seen failing in the timeline', async () => {
    await page.getByRole('link', { name: 'Sandbox' }).click();
    await page.getByRole('heading', { name: 'Faults' }).waitFor();
    await page.getByLabel('Offer id').fill(DEMO_OFFER_ID);
    await page.getByLabel('Message').fill('The VHD is not generalized.');
    await page.getByRole('button', { name: 'Add fault' }).click();
    await page.getByRole('button', { name: 'Remove rule' }).waitFor();
    await capture('sandbox');

    await page.goto(`${new URL(signInLink).origin}/console/${OFFER_PATH}/marketplace`);
    await page.locator(`[data-path="$.definition.offer['${TITLE_KEY}']"] input`).fill('A title that will not pass');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('h2 .badge', { hasText: 'failed' }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('.timeline').innerText(), /The VHD is not generalized\./);
    await capture('offer-status-failed');
  });

  test('members and applications: an application is registered and its secret shown once', async () => {
    await page.goto(`${new URL(signInLink).origin}/console/#/publishers/${DEMO_PUBLISHER.id}/members`);
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
    await page.getByLabel('Name', { exact: true }).last().fill('release pipeline');
    await page.getByRole('button', { name: 'Register application' }).click();
    const once = page.getByRole('alert').filter({ hasText: 'Copy the secret now' });
    await once.waitFor();
    const secret = await once.locator('code.secret').innerText();
    assert.ok(secret.length >= 20);
    recordToken(secret);
    await capture('members');
    const [tenantId, clientId] = await once.locator('dd code').allInnerTexts();
    await once.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone once dismissed');
    const applications = await api.listApplications();
    assert.ok(applications.some((application) => application.displayName === 'release pipeline'));
    assert.ok(!JSON.stringify(applications).includes(secret));

    // The application signs in with its client id and secret, through the built-in token service.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('tab', { name: 'Application' }).click();
    await page.getByLabel('Tenant id').fill(tenantId!);
    await page.getByLabel('Client id').fill(clientId!);
    await page.getByLabel('Client secret').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: `${DEMO_PUBLISHER.id}/${DEMO_OFFER_ID}` }).waitFor();
    const bearer = await page.evaluate(() => sessionStorage.getItem('cloudpartner.token'));
    assert.ok(bearer && bearer.split('.').length === 3, 'the session holds a JWT from the token service');
    recordToken(bearer);
    await page.goto(signInLink);
    await page.getByRole('heading', { name: 'All offers' }).waitFor();
  });

  test('no script error, no policy violation, no token in what the page kept', async () => {
    assert.deepEqual(
      pageProblems.filter((problem) => !/Failed to load resource: the server responded with a status of (401|404|412|422)/.test(problem)),
      [],
    );
    const kept = await page.evaluate(() => JSON.stringify({ href: location.href, local: { ...localStorage }, cookie: document.cookie }));
    assert.ok(!kept.includes(token));
    assert.ok(pages.size >= 20, `screenshots taken: ${pages.size}`);
  });
});
