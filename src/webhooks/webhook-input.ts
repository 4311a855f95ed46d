/** A webhook as a client asks for it (`POST /_cloudpartner/webhooks`), read or refused with every problem and its JSON path. */
import { ApiError, errors } from '../domain/errors.ts';
import { EVENT_TYPES, type EventType } from '../domain/events.ts';
import { parseId } from '../domain/ids.ts';
import { type Message, message } from '../domain/messages/index.ts';
import { problemAt, type Problem } from '../domain/offer-validation/problems.ts';

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
  const problems: Problem[] = [];
  const add = (path: string, text: Message | string) => problems.push(typeof text === 'string' ? { path, message: text } : problemAt(path, text));
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.invalidRequest(message('error.bodyShape', { example: '{"url", "events", "publisherId", "secret"}' }));
  const value = body as Record<string, unknown>;
  for (const key of Object.keys(value)) if (!['url', 'events', 'publisherId', 'secret'].includes(key)) add(`$.${key}`, message('input.notWebhookMember'));

  let url = '';
  if (typeof value['url'] !== 'string' || value['url'].length > MAX_URL) add('$.url', message('input.urlLength', { max: MAX_URL }));
  else {
    try {
      const parsed = new URL(value['url']);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') add('$.url', message('input.httpUrl'));
      else if (parsed.username || parsed.password) add('$.url', message('input.urlCredentials'));
      else url = parsed.href;
    } catch {
      add('$.url', message('input.notUrl'));
    }
  }

  const events = value['events'];
  if (!Array.isArray(events) || events.length === 0) add('$.events', message('input.events', { events: EVENT_TYPES.join(', ') }));
  else
    events.forEach((event, index) => {
      if (!EVENT_TYPES.includes(event as EventType)) add(`$.events[${index}]`, message('input.notEvent', { events: EVENT_TYPES.join(', ') }));
    });

  let publisherId = '';
  if (typeof value['publisherId'] !== 'string') add('$.publisherId', message('input.webhookPublisher'));
  else {
    try {
      publisherId = parseId('publisherId', value['publisherId']);
    } catch (error) {
      add('$.publisherId', error instanceof ApiError ? error.text : String(error));
    }
  }

  const secret = value['secret'];
  if (typeof secret !== 'string' || secret.length < MIN_SECRET || secret.length > MAX_SECRET)
    add('$.secret', message('input.secret', { min: MIN_SECRET, max: MAX_SECRET }));

  if (problems.length > 0) throw errors.invalidInput('webhook', problems);
  return { url, events: [...new Set(events as EventType[])], publisherId, secret: secret as string };
}
