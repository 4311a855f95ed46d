/**
 * `cloudpartner serve`: open the store, load demo data when asked, listen, print how to call it,
 * and shut down cleanly on SIGINT/SIGTERM.
 */
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { ServeConfig } from './config.ts';
import { CURRENT_API_VERSION } from './domain/api-version.ts';
import { DEMO_OFFER_ID, DEMO_PUBLISHER, loadDemoData } from './demo/demo-data.ts';
import { buildApp } from './http/app.ts';
import { loadConsoleAssets } from './http/console-assets.ts';
import { createAccessToken } from './identity/access-tokens.ts';
import { limitHeapGrowth } from './heap.ts';
import { describeStore, openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { PACKAGE_VERSION } from './version.ts';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  close(): Promise<void>;
}

export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  return pino(
    {
      level,
      base: undefined,
      // Defence in depth: nothing logs headers or bodies, but if anything ever does, these never leave.
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', 'clientSecret'], censor: '[redacted]' },
    },
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination,
  );
}

/** How the start is announced: the banner for people (default), or one JSON document for scripts (`-o json`). */
export interface StartOptions {
  json?: boolean;
}

export async function startServer(config: ServeConfig, out: NodeJS.WritableStream = process.stdout, options: StartOptions = {}): Promise<RunningServer> {
  limitHeapGrowth();
  const logger = createLogger(config.logLevel);
  const storeConfig = {
    dataDir: config.dataDir,
    secretKey: config.secretKey,
    databaseUrl: config.databaseUrl,
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
  };
  if (config.databaseUrl && !config.secretKey) {
    logger.warn('no CLOUDPARTNER_SECRET_KEY: using the key in the data directory; every instance on this database must use the same key');
  }
  const store = await openStore(storeConfig);
  // The demo turns the sandbox on: a place to try failures is what a demo is for.
  const sandbox = config.sandbox || config.demo;
  let demoToken: string | undefined;
  let sandboxToken: string | undefined;
  if (config.demo) {
    const loaded = await loadDemoData(store);
    if (loaded || config.newDemoToken) {
      demoToken = (await createAccessToken(store, { publisherIds: [DEMO_PUBLISHER.id], role: 'Owner', description: 'demo token printed by serve --demo' }))
        .token;
      sandboxToken = (await createAccessToken(store, { sandboxAdmin: true, description: 'sandbox admin token printed by serve --demo' })).token;
    }
  }
  // Built on the first start after its sources change, then from the cache (console-assets.ts).
  const consoleAssets = config.console ? await loadConsoleAssets() : undefined;
  const app = await buildApp({
    store,
    logger,
    ...(consoleAssets ? { console: consoleAssets } : {}),
    stepDurations: config.stepDurations,
    rateLimit: config.rateLimit,
    connectionLimits: { maxConnections: config.maxConnections },
    workflowLeaseMs: config.stepLeaseMs,
    putMode: config.putMode,
    ingestionProfile: config.ingestionProfile,
    ingestionPublishJob: config.ingestionPublishJob,
    sandbox,
    webhooks: { timeoutMs: config.webhookTimeoutMs },
    auditRetentionDays: config.auditRetentionDays,
    metrics: config.metrics ? { token: config.metricsToken } : false,
    identity: {
      audiences: config.audiences,
      clockToleranceSeconds: config.clockToleranceSeconds,
      trustedIssuers: config.trustedIssuers,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    },
    ...(config.tls ? { https: config.tls } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  if (!config.publicUrl) app.tokens.setPublicUrl(url);

  const started: Started = {
    url,
    store: describeStore(storeConfig),
    demo: config.demo,
    demoToken,
    sandbox,
    sandboxToken,
    tokenServiceUrl: app.tokens.publicUrl,
    console: consoleAssets ? { url: `${url}/console/`, gzipBytes: consoleAssets.size.gzipBytes } : undefined,
  };
  out.write(options.json ? `${JSON.stringify(startedJson(started))}\n` : banner(started));

  // Graceful: stop accepting, let requests in flight finish (bounded), give up workflow leases
  // (another instance continues at once), then close the store.
  const close = async () => {
    const timer = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
    try {
      await app.close();
    } finally {
      clearTimeout(timer);
    }
    await store.close();
    logger.flush();
  };
  return { app, store, url, close };
}

interface Started {
  url: string;
  store: string;
  demo: boolean;
  demoToken: string | undefined;
  sandbox: boolean;
  sandboxToken: string | undefined;
  tokenServiceUrl: string;
  console: { url: string; gzipBytes: number } | undefined;
}

/**
 * The console's sign-in link. The tokens ride in the fragment, which browsers never send to the
 * server, so they reach no request line and no access log; the page forgets the fragment at once.
 */
function consoleSignInUrl(started: Started): string | undefined {
  if (!started.console || !started.demoToken) return undefined;
  const fragment = new URLSearchParams({ token: started.demoToken, ...(started.sandboxToken ? { sandboxToken: started.sandboxToken } : {}) });
  return `${started.console.url}#${fragment}`;
}

/** MSAL (and so @azure/identity and Python's azure-identity) refuses an authority that is not https. */
function startWarnings(started: Started): string[] {
  if (started.tokenServiceUrl.startsWith('https:')) return [];
  return [
    `the token service's endpoints are at ${started.tokenServiceUrl}, plain http. MSAL-based clients (@azure/msal-node, @azure/identity, Python msal and azure-identity) refuse an authority that is not https: serve HTTPS with --cert and --key, or give --public-url https://… when a TLS proxy is in front.`,
  ];
}

function startedJson(started: Started) {
  return {
    version: PACKAGE_VERSION,
    url: started.url,
    store: started.store,
    openapi: `${started.url}/openapi.json`,
    tokenService: started.tokenServiceUrl,
    ...(started.demo ? { demo: { publisherId: DEMO_PUBLISHER.id, offerId: DEMO_OFFER_ID, ...(started.demoToken ? { token: started.demoToken } : {}) } } : {}),
    ...(started.sandbox ? { sandbox: { url: `${started.url}/_cloudpartner/`, ...(started.sandboxToken ? { adminToken: started.sandboxToken } : {}) } } : {}),
    ...(started.console
      ? {
          console: {
            url: started.console.url,
            bundleGzipBytes: started.console.gzipBytes,
            ...(consoleSignInUrl(started) ? { signIn: consoleSignInUrl(started) } : {}),
          },
        }
      : {}),
    warnings: startWarnings(started),
  };
}

function banner(options: Started): string {
  const lines = [`cloudpartner ${PACKAGE_VERSION} listening on ${options.url} (${options.store})`, ''];
  for (const warning of startWarnings(options)) lines.push(`Warning: ${warning}`, '');
  if (options.demo) {
    const auth = options.demoToken ? options.demoToken : '$TOKEN';
    if (options.demoToken) {
      lines.push(`Demo publisher '${DEMO_PUBLISHER.id}' is ready. Its access token (role Owner), shown only now:`, '', `  ${options.demoToken}`, '');
    } else {
      lines.push(
        `Demo publisher '${DEMO_PUBLISHER.id}' is loaded. Use the token printed on first start as $TOKEN, or get a new one with`,
        `  npm start -- --new-demo-token     (or: npx cloudpartner token create --publisher contoso --role Owner)`,
        '',
      );
    }
    const q = `api-version=${CURRENT_API_VERSION}`;
    const base = `${options.url}/api/publishers/${DEMO_PUBLISHER.id}/offers`;
    const curl = (path: string) => `  curl -s -H "Authorization: Bearer ${auth}" "${path}"`;
    lines.push(
      'Retrieve offers:',
      curl(`${base}?${q}`),
      'Retrieve a specific offer (draft, by version, by slot):',
      curl(`${base}/${DEMO_OFFER_ID}?${q}`),
      curl(`${base}/${DEMO_OFFER_ID}/versions/3?${q}`),
      curl(`${base}/${DEMO_OFFER_ID}/slot/Draft?${q}`),
      curl(`${base}/${DEMO_OFFER_ID}/slot/Preview?${q}`),
      curl(`${base}/${DEMO_OFFER_ID}/slot/Production?${q}`),
      '',
    );
  }
  if (options.sandbox) {
    const admin = options.sandboxToken ?? '$SANDBOX_TOKEN';
    lines.push(
      options.sandboxToken
        ? `Sandbox controls at ${options.url}/_cloudpartner/ — the sandbox admin token, shown only now:`
        : `Sandbox controls at ${options.url}/_cloudpartner/ (get an admin token with: npx cloudpartner token create --sandbox-admin)`,
      ...(options.sandboxToken ? ['', `  ${options.sandboxToken}`, ''] : []),
      'Make the next certification fail:',
      `  curl -s -X POST -H "Authorization: Bearer ${admin}" -H "Content-Type: application/json" \\`,
      `    -d '{"match":{"operation":"publish"},"effect":{"fail":{"messages":["The VHD is not generalized."]}},"times":1}' ${options.url}/_cloudpartner/faults`,
      '',
    );
  }
  if (options.console) {
    const signIn = consoleSignInUrl(options);
    lines.push(
      `${signIn ? 'Open the console (signed in as the demo Owner; the link holds the tokens above)' : 'Open the console and sign in with a token'} — its bundle is ${(options.console.gzipBytes / 1024).toFixed(1)} KB gzipped:`,
      `  ${signIn ?? options.console.url}`,
      '',
    );
  }
  lines.push(`OpenAPI document: ${options.url}/openapi.json    Stop with Ctrl+C.`, '');
  return lines.join('\n');
}
