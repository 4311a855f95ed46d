/** Sign in with an access token, or with an application's client id and secret (the built-in token service). */
import { useState } from 'preact/hooks';
import { apiClient, signIn, tokenForApplication } from '../session.ts';
import { ErrorMessage } from '../components.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [mode, setMode] = useState<'token' | 'application'>('token');
  const [token, setToken] = useState('');
  const [tenantId, setTenantId] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const bearer = mode === 'token' ? token.trim() : await tokenForApplication(tenantId, clientId, clientSecret);
      // A token that lists no publisher is still a token; one the server refuses is not.
      await apiClient(bearer).listPublishers();
      signIn(bearer);
      location.hash = '#/offers';
      onSignedIn();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="content" class="sign-in">
      <h1>Sign in to cloudpartner</h1>
      <div role="tablist" aria-label="How to sign in" class="tabs">
        <button type="button" role="tab" aria-selected={mode === 'token'} onClick={() => setMode('token')}>
          Access token
        </button>
        <button type="button" role="tab" aria-selected={mode === 'application'} onClick={() => setMode('application')}>
          Application
        </button>
      </div>
      <form onSubmit={submit} class="form">
        {mode === 'token' ? (
          <label>
            Access token
            <input type="password" name="token" autoComplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
          </label>
        ) : (
          <>
            <label>
              Tenant id
              <input name="tenantId" required value={tenantId} onInput={(e) => setTenantId(e.currentTarget.value)} />
            </label>
            <label>
              Client id
              <input name="clientId" required value={clientId} onInput={(e) => setClientId(e.currentTarget.value)} />
            </label>
            <label>
              Client secret
              <input
                type="password"
                name="clientSecret"
                autoComplete="off"
                required
                value={clientSecret}
                onInput={(e) => setClientSecret(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorMessage error={error} />
      <p class="hint">
        The token stays in this tab only and is forgotten when you sign out or close the tab. <code>npm start</code> prints a sign-in link.
      </p>
    </main>
  );
}
