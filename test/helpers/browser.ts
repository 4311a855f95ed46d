/**
 * A real browser for the console's tests: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core. Playwright's own browser download does not work here, so `npm test` installs
 * the Debian package when it is missing (ensureChromium, called by scripts/run-tests.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { recordAuthorization, recordResponse } from './capture.ts';

export const CHROMIUM = process.env['CLOUDPARTNER_CHROMIUM'] ?? '/usr/bin/chromium';
/** Where the test run leaves its screenshots (not committed). */
export const SCREENSHOT_DIR = join(new URL('../..', import.meta.url).pathname, 'test-results', 'console');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Installs Debian's chromium when it is not there (as root, or through sudo). Throws if it cannot. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  console.log('Chromium is missing: installing the Debian package chromium for the console tests…');
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'apt-get' : 'sudo';
  const prefix = asRoot ? [] : ['-n', 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = spawnSync(command, [...prefix, 'install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  if (result.status !== 0) {
    // The package lists may be stale on a fresh machine.
    spawnSync(command, [...prefix, 'update'], { stdio: 'inherit', env });
    result = spawnSync(command, [...prefix, 'install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  }
  if (result.status !== 0 || !existsSync(CHROMIUM))
    throw new Error(`could not install chromium (apt-get exited ${result.status}); install it with: apt-get install chromium`);
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * A page whose API traffic goes to the leak scan's record (test/helpers/capture.ts): every answer
 * the console received and every credential it sent. Console errors and CSP violations are kept
 * so a test can assert there were none.
 */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  locale = 'en-US',
): Promise<{ page: Page; problems: string[] }> {
  // The locale is the browser's language, which it sends as Accept-Language: English unless a test asks for another.
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', async (response) => {
    const request = response.request();
    recordAuthorization(await request.headerValue('authorization'), response.status());
    if (request.url().includes('/console/assets/')) return;
    try {
      recordResponse('console', request.method(), request.url(), response.status(), await response.body());
    } catch {
      // a redirect or an aborted request has no body
    }
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const viewport = page.viewportSize();
  const path = join(SCREENSHOT_DIR, `${name}-${viewport?.width}x${viewport?.height}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
