/** A webhook as a client asks for it (`POST /_cloudpartner/webhooks`), read or refused with every problem and its JSON path. */
import { errors } from '../domain/errors.ts';
import { EVENT_TYPES, type EventType } from '../domain/events.ts';
import { parseId } from '../domain/ids.ts';
import { message } from '../domain/messages/index.ts';

export interface NewWebhook {
  url: string;
  events: EventType[];
  publisherId: string;
  secret: string;
}

const MIN_SECRET = 16;
const MAX_SECRET = 256;
const MAX_URL = 2000;

export function parseWebhook(body: unknown): NewWebhook {
  const problems: Array<{ path: string; message: string }> = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.invalidRequest(message('error.bodyShape', { example: '{"url", "events", "publisherId", "secret"}' }));
  const value = body as Record<string, unknown>;
  for (const key of Object.keys(value)) if (!['url', 'events', 'publisherId', 'secret'].includes(key)) add(`$.${key}`, 'is not a member of a webhook.');

  let url = '';
  if (typeof value['url'] !== 'string' || value['url'].length > MAX_URL) add('$.url', `must be an http or https URL of at most ${MAX_URL} characters.`);
  else {
    try {
      const parsed = new URL(value['url']);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') add('$.url', 'must be an http or https URL.');
      else if (parsed.username || parsed.password) add('$.url', 'must not carry credentials: the receiver checks the signature instead.');
      else url = parsed.href;
    } catch {
      add('$.url', 'is not a URL.');
    }
  }

  const events = value['events'];
  if (!Array.isArray(events) || events.length === 0) add('$.events', `must list events: ${EVENT_TYPES.join(', ')}.`);
  else
    events.forEach((event, index) => {
      if (!EVENT_TYPES.includes(event as EventType)) add(`$.events[${index}]`, `is not an event: ${EVENT_TYPES.join(', ')}.`);
    });

  let publisherId = '';
  if (typeof value['publisherId'] !== 'string') add('$.publisherId', 'must be the publisher whose offers it is about.');
  else {
    try {
      publisherId = parseId('publisherId', value['publisherId']);
    } catch (error) {
      add('$.publisherId', (error as Error).message);
    }
  }

  const secret = value['secret'];
  if (typeof secret !== 'string' || secret.length < MIN_SECRET || secret.length > MAX_SECRET)
    add('$.secret', `must be text of ${MIN_SECRET} to ${MAX_SECRET} characters: each delivery is signed with it (HMAC-SHA256).`);

  if (problems.length > 0) throw errors.invalidInput('webhook', problems);
  return { url, events: [...new Set(events as EventType[])], publisherId, secret: secret as string };
}
