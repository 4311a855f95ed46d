/** The console's entry: take a sign-in link's tokens, then show the signed-in pages or the sign-in form. */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import './styles.css';
import { type Session, currentSession, signOut, takeTokensFromFragment } from './session.ts';
import { useRoute } from './router.ts';
import { SignIn } from './pages/sign-in.tsx';
import { OffersPage } from './pages/offers.tsx';
import { OfferPage } from './pages/offer/page.tsx';
import { MembersPage } from './pages/members.tsx';
import { SandboxPage } from './pages/sandbox.tsx';

function App() {
  const [session, setSession] = useState<Session | undefined>(currentSession);
  const route = useRoute();
  if (!session) return <SignIn onSignedIn={() => setSession(currentSession())} />;
  const leave = () => {
    signOut();
    setSession(undefined);
  };
  return (
    <>
      <header class="top">
        <a class="brand" href="#/offers">
          cloudpartner
        </a>
        <nav aria-label="Main">
          <a href="#/offers" aria-current={route.page === 'offers' || route.page === 'offer' ? 'page' : undefined}>
            All offers
          </a>
          <a href="#/sandbox" aria-current={route.page === 'sandbox' ? 'page' : undefined}>
            Sandbox
          </a>
        </nav>
        <button type="button" class="link" onClick={leave}>
          Sign out
        </button>
      </header>
      <main id="content">
        {route.page === 'offers' && <OffersPage session={session} />}
        {route.page === 'offer' && <OfferPage session={session} publisherId={route.publisherId} offerId={route.offerId} tab={route.tab} />}
        {route.page === 'members' && <MembersPage session={session} publisherId={route.publisherId} />}
        {route.page === 'sandbox' && <SandboxPage session={session} onSession={() => setSession(currentSession())} />}
      </main>
    </>
  );
}

takeTokensFromFragment();
// A sign-in link opened in a tab that already shows the console changes only the fragment.
addEventListener('hashchange', () => {
  if (takeTokensFromFragment()) location.reload();
});
const root = document.getElementById('root')!;
root.textContent = ''; // the loading line
render(<App />, root);
