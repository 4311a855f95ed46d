/**
 * Who is signed in: the bearer token (and, for the sandbox panel, the sandbox admin token), kept
 * in sessionStorage — this tab only, gone when it closes or on sign-out. A sign-in link carries
 * them in the URL fragment (`#token=…&sandboxToken=…`), which browsers never send to a server;
 * the page takes them and replaces the fragment at once, so they stay out of history too.
 */
import { CloudPartnerClient, ClientCredentialsToken } from '../client/index.ts';

const TOKEN_KEY = 'cloudpartner.token';
const SANDBOX_KEY = 'cloudpartner.sandboxToken';

export interface Session {
  token: string;
  sandboxToken: string | undefined;
}

/** Takes tokens from the fragment if it carries them (and removes them from the address). */
export function takeTokensFromFragment(): boolean {
  const hash = location.hash.slice(1);
  if (!/(^|&)(token|sandboxToken)=/.test(hash)) return false;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  const sandboxToken = params.get('sandboxToken');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  if (sandboxToken) sessionStorage.setItem(SANDBOX_KEY, sandboxToken);
  history.replaceState(null, '', `${location.pathname}#/offers`);
  return true;
}

export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { token, sandboxToken: sessionStorage.getItem(SANDBOX_KEY) ?? undefined } : undefined;
}

export function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function setSandboxToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(SANDBOX_KEY, token);
  else sessionStorage.removeItem(SANDBOX_KEY);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(SANDBOX_KEY);
}

const USER_AGENT = 'cloudpartner-console';

/** A client of this server's API with the given token (retries off: a person is waiting and can retry). */
export function apiClient(token: string, publisherId?: string): CloudPartnerClient {
  return new CloudPartnerClient({
    endpoint: location.origin,
    token,
    userAgent: USER_AGENT,
    retry: { maxRetries: 0 },
    timeoutMs: 30_000,
    ...(publisherId ? { publisherId } : {}),
  });
}

/** Exchanges an application's client id and secret for a token at the built-in token service. */
export async function tokenForApplication(tenantId: string, clientId: string, clientSecret: string): Promise<string> {
  const credentials = new ClientCredentialsToken(
    { tenantId: tenantId.trim(), clientId: clientId.trim(), clientSecret, authority: location.origin },
    {
      fetch: globalThis.fetch.bind(globalThis),
      retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 },
      timeoutMs: 30_000,
      userAgent: USER_AGENT,
    },
  );
  return credentials.getToken();
}
