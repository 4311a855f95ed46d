/**
 * The console's places, in the URL fragment (`#/offers/contoso/contoso-vm/plans`), so a link to any
 * page works and the server serves one page for all of them.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  { page: 'offers' } | { page: 'offer'; publisherId: string; offerId: string; tab: string } | { page: 'members'; publisherId: string } | { page: 'sandbox' };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  if (parts[0] === 'offers' && parts[1] && parts[2]) return { page: 'offer', publisherId: parts[1], offerId: parts[2], tab: parts[3] ?? 'settings' };
  if (parts[0] === 'publishers' && parts[1] && parts[2] === 'members') return { page: 'members', publisherId: parts[1] };
  if (parts[0] === 'sandbox') return { page: 'sandbox' };
  return { page: 'offers' };
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'offers':
      return '#/offers';
    case 'offer':
      return `#/offers/${e(route.publisherId)}/${e(route.offerId)}/${e(route.tab)}`;
    case 'members':
      return `#/publishers/${e(route.publisherId)}/members`;
    case 'sandbox':
      return '#/sandbox';
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
