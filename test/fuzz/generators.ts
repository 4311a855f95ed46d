/**
 * Request generators for the fuzzer: well-formed requests to every endpoint, and the same
 * requests mutated — offer documents with wrong types, missing and extra fields, huge strings and
 * arrays, deep nesting, duplicate keys and out-of-range numbers; malformed, truncated and
 * mis-encoded JSON; odd content types and methods; hostile path segments and query strings;
 * oversized, repeated and malformed headers; and HTTP framing oddities.
 *
 * Every case is generated from its own Rng (seed, index), so a run is repeatable: the same seed
 * gives the same requests, apart from values learned from earlier answers (ETags, operation ids).
 */
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { OFFER_TYPES } from '../../src/domain/offer-types.ts';
import { productGuid } from '../../src/product-ingestion/ids.ts';
import { publishableOffer } from '../helpers/offers.ts';
import { buildRequest } from '../helpers/raw-http.ts';
import { Rng } from './rng.ts';

export const API_VERSION = 'api-version=2017-10-31';

/** The secret of the webhooks the fuzzer subscribes: it must never show in an answer or the log. */
export const FUZZ_WEBHOOK_SECRET = 'a-fuzz-webhook-secret-of-enough-length';

/** What the generators may use: tokens, the offers they play with, what earlier answers taught. */
export interface FuzzState {
  tokens: { owner: string; reader: string; foreign: string; jwt: string | undefined };
  client: { id: string; secret: string; tenant: string };
  /** Offers the fuzzer creates and edits (contoso), besides the demo offer. */
  offerIds: readonly string[];
  /** Latest ETag seen per offer id. */
  etags: Map<string, string>;
  /** Operation ids seen in Location headers. */
  operations: string[];
  /** Secret values planted in offer documents start with this. */
  markerPrefix: string;
}

export interface FuzzCase {
  index: number;
  kind: string;
  /** One line saying what was sent, for reports. */
  summary: string;
  bytes: Buffer;
  /** Responses expected (pipelined requests). */
  responses: number;
  /** Per expected response: was it a HEAD (no body)? */
  head: boolean[];
  /** Half-close the connection after writing (the request is knowingly incomplete). */
  endAfterWrite?: boolean;
  /** Per expected response: from an OAuth token endpoint, whose errors have the OAuth shape (RFC 6749 §5.2)? */
  oauth: boolean[];
  /** The offer the request names, when it is one the fuzzer plays with. */
  offerId?: string;
  /** Secret values planted in the body. */
  markers: string[];
}

// ---------------------------------------------------------------------------------------------
// JSON with what JSON.stringify cannot write: raw number text and duplicate keys.

export class RawJson {
  constructor(readonly text: string) {}
}

export class DupObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof DupObject) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Sets an own property, even `__proto__`. */
function setOwn(target: object, key: string | number, value: unknown): void {
  if (Array.isArray(target) && typeof key === 'number') target[key] = value;
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// Hostile values

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  '0',
  '-1',
  "' OR '1'='1",
  "'; DROP TABLE offers; --",
  '"; DROP TABLE offer_versions; --',
  '1; DELETE FROM access_tokens',
  "x' UNION SELECT token_hash FROM access_tokens --",
  '$.definition.plans[*]',
  '$..*',
  "$[?(@.id=='x')]",
  '@.offerTypeId',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff x',
  '\ud83d\ude00',
  '\u202eevil',
  '\ufeff',
  '\u2028\u2029',
  'Ω≈ç√∫',
  '日本語のオファー',
  'a\r\nSet-Cookie: x=y',
  '\\',
  '\\u0000',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'W/"datetime\'2017-06-07T06%3A15%3A39.7349221Z\'"',
  'cpat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
];

const EXTREME_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '9007199254740993',
  '123456789012345678901234567890',
  '0.000000000000000000000000000001',
  '1E+2',
  '2147483648',
  '-2147483649',
  '4294967296',
  '18446744073709551616',
  '1.7976931348623157e308',
];

function hugeString(rng: Rng): string {
  const length = rng.weighted([
    [6, rng.int(1_000, 70_000)],
    [3, rng.int(100_000, 1_500_000)],
    [1, rng.int(4_200_000, 4_400_000)], // over the 4 MiB body limit
  ]);
  return rng.pick(['a', 'é', '日', '\\', '"', ' ']).repeat(length);
}

function hugeArray(rng: Rng): unknown {
  const length = rng.weighted([
    [6, rng.int(1_000, 20_000)],
    [2, rng.int(100_000, 400_000)],
  ]);
  const item = rng.pick<unknown>([0, 'x', null, {}, [], true]);
  return new RawJson(`[${new Array(length).fill(toJson(item)).join(',')}]`);
}

function deepValue(rng: Rng): unknown {
  const depth = rng.weighted([
    [5, rng.int(20, 40)],
    [3, rng.int(100, 2_000)],
    [1, rng.int(50_000, 200_000)],
  ]);
  const [open, close] = rng.pick([
    ['[', ']'],
    ['{"a":', '}'],
    ['[{"x":', '}]'],
  ] as const);
  return new RawJson(open.repeat(depth) + '1' + close.repeat(depth));
}

export function randomValue(rng: Rng, depth = 0): unknown {
  const kind = rng.weighted<string>([
    [3, 'null'],
    [2, 'bool'],
    [4, 'number'],
    [2, 'extreme'],
    [6, 'string'],
    [2, 'emptyArray'],
    [2, 'emptyObject'],
    [depth < 3 ? 2 : 0, 'object'],
    [depth < 3 ? 2 : 0, 'array'],
    [1, 'huge'],
  ]);
  switch (kind) {
    case 'null':
      return null;
    case 'bool':
      return rng.chance(0.5);
    case 'number':
      return rng.pick([0, 1, -1, 1.5, 87, 1e21, -1e-7, 2 ** 31, Number.MAX_SAFE_INTEGER]);
    case 'extreme':
      return new RawJson(rng.pick(EXTREME_NUMBERS));
    case 'string':
      return rng.pick(HOSTILE_STRINGS);
    case 'emptyArray':
      return [];
    case 'emptyObject':
      return {};
    case 'object': {
      const out = {};
      for (let i = rng.int(1, 4); i > 0; i--) setOwn(out, rng.pick(HOSTILE_STRINGS), randomValue(rng, depth + 1));
      return out;
    }
    case 'array':
      return Array.from({ length: rng.int(1, 5) }, () => randomValue(rng, depth + 1));
    default:
      return rng.chance(0.5) ? hugeString(rng) : hugeArray(rng);
  }
}

interface Slot {
  parent: object | undefined;
  key: string | number | undefined;
  value: unknown;
}

/** Every node of a JSON value (objects, arrays and leaves), with where it sits. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: undefined, value: root }];
  for (let i = 0; i < out.length && out.length < 5_000; i++) {
    const { value } = out[i]!;
    if (value === null || typeof value !== 'object' || value instanceof RawJson || value instanceof DupObject) continue;
    if (Array.isArray(value)) value.forEach((item, index) => out.push({ parent: value, key: index, value: item }));
    else for (const [key, item] of Object.entries(value)) out.push({ parent: value, key, value: item });
  }
  return out;
}

/** Applies 1–4 structural mutations to a JSON value (in place where possible); returns the new root. */
export function mutateStructure(rng: Rng, root: unknown): { root: unknown; ops: string[] } {
  const ops: string[] = [];
  for (let n = rng.int(1, 4); n > 0; n--) {
    const all = slots(root);
    // Prefer leaves and small containers deep in the document: that is where the schema lives.
    const target = rng.chance(0.85) && all.length > 1 ? all[rng.int(1, all.length - 1)]! : all[0]!;
    const op = rng.weighted<string>([
      [6, 'retype'],
      [4, 'delete'],
      [4, 'extra'],
      [2, 'huge'],
      [2, 'deep'],
      [2, 'number'],
      [3, 'string'],
      [2, 'duplicate'],
    ]);
    const replace = (value: unknown) => {
      if (target.parent === undefined) root = value;
      else setOwn(target.parent, target.key!, value);
    };
    ops.push(`${op}@${target.key === undefined ? '$' : String(target.key).slice(0, 40)}`);
    switch (op) {
      case 'retype':
        replace(randomValue(rng));
        break;
      case 'delete':
        if (target.parent === undefined) root = rng.pick<unknown>([undefined, null, {}, []]);
        else if (Array.isArray(target.parent)) target.parent.splice(target.key as number, 1);
        else delete (target.parent as Record<string, unknown>)[target.key as string];
        break;
      case 'extra': {
        const into =
          target.value !== null && typeof target.value === 'object' && !(target.value instanceof RawJson) && !(target.value instanceof DupObject)
            ? target.value
            : target.parent;
        if (into === undefined) break;
        if (Array.isArray(into)) into.push(randomValue(rng));
        else
          setOwn(
            into,
            rng.chance(0.2) ? 'k'.repeat(rng.int(100, 20_000)) : rng.pick([...HOSTILE_STRINGS, 'offerTypeId', 'definition', 'id', 'version', 'etag']),
            randomValue(rng),
          );
        break;
      }
      case 'huge':
        replace(rng.chance(0.6) ? hugeString(rng) : hugeArray(rng));
        break;
      case 'deep':
        replace(deepValue(rng));
        break;
      case 'number':
        replace(new RawJson(rng.pick(EXTREME_NUMBERS)));
        break;
      case 'string':
        replace(rng.pick(HOSTILE_STRINGS));
        break;
      case 'duplicate': {
        // An object written with one key twice (the second value is what JSON.parse keeps).
        const object =
          target.value !== null &&
          typeof target.value === 'object' &&
          !Array.isArray(target.value) &&
          !(target.value instanceof RawJson) &&
          !(target.value instanceof DupObject)
            ? target.value
            : undefined;
        if (!object) break;
        const entries = Object.entries(object);
        const key = entries.length > 0 ? rng.pick(entries)[0] : 'offerTypeId';
        const dup: Array<readonly [string, unknown]> = rng.chance(0.5) ? [[key, randomValue(rng)], ...entries] : [...entries, [key, randomValue(rng)]];
        replace(new DupObject(dup));
        break;
      }
    }
  }
  return { root, ops };
}

// ---------------------------------------------------------------------------------------------
// Text-level mutations of a JSON body

const INVALID_UTF8: readonly number[][] = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xc3]];

const WHOLE_BODIES: readonly string[] = [
  '',
  ' ',
  '\r\n',
  'null',
  'true',
  '0',
  '-0',
  '1e999',
  '"x"',
  '"\\ud800"',
  '[]',
  '[{}]',
  '{',
  '}',
  '{}{}',
  'NaN',
  'Infinity',
  '{"a":1,}',
  "{'a':1}",
  '/* c */ {}',
  '{"offerTypeId":}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"offerTypeId":"microsoft-azure-virtualmachines","definition":null}',
  '{"offerTypeId":"microsoft-azure-virtualmachines","definition":[]}',
  '{"offerTypeId":"microsoft-azure-virtualmachines","definition":{"plans":{}}}',
  '{"offerTypeId":"microsoft-azure-virtualmachines","definition":{"plans":[null,1,"x",[]]}}',
  '{"offerTypeId":"microsoft-azure-virtualmachines","definition":{"offer":"x"}}',
  '{"offerTypeId":["microsoft-azure-virtualmachines"],"definition":{}}',
  '{"metadata":{"notification-emails":["a@b.co"]}}',
  '{"metadata":{"notification-emails":"not-an-email, also not"}}',
  '{"metadata":"x"}',
];

export function mutateText(rng: Rng, text: string): { body: Buffer; op: string } {
  const bytes = Buffer.from(text, 'utf8');
  const op = rng.weighted<string>([
    [4, 'truncate'],
    [4, 'flip'],
    [3, 'invalid-utf8'],
    [2, 'bom'],
    [1, 'utf16'],
    [2, 'junk'],
    [4, 'whole'],
    [2, 'deep-text'],
    [1, 'oversized'],
  ]);
  switch (op) {
    case 'truncate':
      return { body: bytes.subarray(0, rng.int(0, Math.max(0, bytes.length - 1))), op };
    case 'flip': {
      const out = Buffer.from(bytes);
      for (let n = rng.int(1, 6); n > 0 && out.length > 0; n--) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
      return { body: out, op };
    }
    case 'invalid-utf8': {
      // Inside a string value, where a parser that trusted its input would keep it.
      const quote = bytes.indexOf('"', rng.int(0, Math.max(0, bytes.length - 1)));
      const at = quote < 0 ? rng.int(0, bytes.length) : quote + 1;
      return { body: Buffer.concat([bytes.subarray(0, at), Buffer.from(rng.pick(INVALID_UTF8)), bytes.subarray(at)]), op };
    }
    case 'bom':
      return {
        body: Buffer.concat([
          Buffer.from(
            rng.pick([
              [0xef, 0xbb, 0xbf],
              [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
              [0xff, 0xfe],
              [0xfe, 0xff],
            ]),
          ),
          bytes,
        ]),
        op,
      };
    case 'utf16':
      return { body: Buffer.from(text, 'utf16le'), op };
    case 'junk': {
      const junk = rng.pick(['\u0000', ")]}'\n", 'garbage', ',', '{}', ' '.repeat(1000), '\u0000'.repeat(10)]);
      return { body: rng.chance(0.5) ? Buffer.concat([Buffer.from(junk), bytes]) : Buffer.concat([bytes, Buffer.from(junk)]), op };
    }
    case 'whole':
      return { body: Buffer.from(rng.pick(WHOLE_BODIES)), op };
    case 'deep-text': {
      const depth = rng.pick([33, 1_000, 100_000, 1_000_000]);
      return { body: Buffer.from(rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), op };
    }
    default:
      return { body: Buffer.concat([bytes, Buffer.alloc(4 * 1024 * 1024 + rng.int(1, 100_000), 0x20)]), op };
  }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

type BodyKind = 'offer' | 'notification' | 'member' | 'application' | 'form' | 'fault' | 'clock' | 'webhook' | 'configure' | 'none';
type QueryKind = 'api' | 'filter' | 'submissions' | 'tenant' | 'instance' | 'products' | 'plans' | 'tree' | 'audit' | 'none';

interface Endpoint {
  name: string;
  method: string;
  /** Path segments; {p} publisher, {o} offer, {v} version, {s} slot, {op} operation, {key} legacy operation key, {m} member, {t} tenant, {g} product GUID. */
  path: readonly string[];
  body: BodyKind;
  query: QueryKind;
  auth: 'bearer' | 'none' | 'client';
  weight: number;
}

const E = (name: string, method: string, path: string, body: BodyKind, query: QueryKind, auth: Endpoint['auth'], weight: number): Endpoint => ({
  name,
  method,
  path: path.split('/').filter(Boolean),
  body,
  query,
  auth,
  weight,
});

export const ENDPOINTS: readonly Endpoint[] = [
  E('healthz', 'GET', '/healthz', 'none', 'none', 'none', 1),
  E('openapi', 'GET', '/openapi.json', 'none', 'none', 'none', 0.3),
  E('readyz', 'GET', '/readyz', 'none', 'none', 'none', 0.5),
  E('metrics', 'GET', '/metrics', 'none', 'none', 'none', 0.3),
  E('publishers', 'GET', '/api/publishers', 'none', 'api', 'bearer', 2),
  E('offerTypes', 'GET', '/api/offerTypes', 'none', 'api', 'bearer', 1),
  E('listOffers', 'GET', '/api/publishers/{p}/offers', 'none', 'filter', 'bearer', 4),
  E('getOffer', 'GET', '/api/publishers/{p}/offers/{o}', 'none', 'api', 'bearer', 8),
  E('headOffer', 'HEAD', '/api/publishers/{p}/offers/{o}', 'none', 'api', 'bearer', 2),
  E('getVersion', 'GET', '/api/publishers/{p}/offers/{o}/versions/{v}', 'none', 'api', 'bearer', 4),
  E('getSlot', 'GET', '/api/publishers/{p}/offers/{o}/slot/{s}', 'none', 'api', 'bearer', 4),
  E('putOffer', 'PUT', '/api/publishers/{p}/offers/{o}', 'offer', 'api', 'bearer', 20),
  E('validate', 'POST', '/api/publishers/{p}/offers/{o}/validate', 'offer', 'api', 'bearer', 4),
  E('publish', 'POST', '/api/publishers/{p}/offers/{o}/publish', 'notification', 'api', 'bearer', 5),
  E('golive', 'POST', '/api/publishers/{p}/offers/{o}/golive', 'notification', 'api', 'bearer', 3),
  E('cancel', 'POST', '/api/publishers/{p}/offers/{o}/cancel', 'notification', 'api', 'bearer', 3),
  E('status', 'GET', '/api/publishers/{p}/offers/{o}/status', 'none', 'api', 'bearer', 2),
  E('secrets', 'GET', '/api/publishers/{p}/offers/{o}/secrets', 'none', 'api', 'bearer', 1),
  E('submissions', 'GET', '/api/publishers/{p}/offers/{o}/submissions', 'none', 'submissions', 'bearer', 3),
  E('operation', 'GET', '/api/publishers/{p}/offers/{o}/operations/{op}', 'none', 'api', 'bearer', 2),
  E('legacyOperation', 'GET', '/api/operations/{key}', 'none', 'api', 'bearer', 2),
  E('listMembers', 'GET', '/api/publishers/{p}/members', 'none', 'api', 'bearer', 1),
  E('putMember', 'PUT', '/api/publishers/{p}/members/{m}', 'member', 'api', 'bearer', 2),
  E('deleteMember', 'DELETE', '/api/publishers/{p}/members/{m}', 'none', 'tenant', 'bearer', 1),
  // Applications: an Owner's registration answers its client secret, once; every other answer must not.
  E('listApplications', 'GET', '/api/publishers/{p}/applications', 'none', 'api', 'bearer', 0.5),
  E('createApplication', 'POST', '/api/publishers/{p}/applications', 'application', 'api', 'bearer', 0.4),
  E('deleteApplication', 'DELETE', '/api/publishers/{p}/applications/{m}', 'none', 'api', 'bearer', 0.3),
  E('tokenV1', 'POST', '/{t}/oauth2/token', 'form', 'none', 'client', 2),
  E('tokenV2', 'POST', '/{t}/oauth2/v2.0/token', 'form', 'none', 'client', 1),
  E('openidV1', 'GET', '/{t}/.well-known/openid-configuration', 'none', 'none', 'none', 0.5),
  E('openidV2', 'GET', '/{t}/v2.0/.well-known/openid-configuration', 'none', 'none', 'none', 0.3),
  E('keys', 'GET', '/{t}/discovery/keys', 'none', 'none', 'none', 0.3),
  E('keysV2', 'GET', '/{t}/discovery/v2.0/keys', 'none', 'none', 'none', 0.2),
  E('authorizeV1', 'GET', '/{t}/oauth2/authorize', 'none', 'none', 'none', 0.2),
  E('authorizeV2', 'POST', '/{t}/oauth2/v2.0/authorize', 'form', 'none', 'none', 0.2),
  E('instanceDiscovery', 'GET', '/{t}/discovery/instance', 'none', 'instance', 'none', 0.4),
  // The sandbox controls, with the tokens of publishers: refused (403), never a rule added.
  E('listFaults', 'GET', '/_cloudpartner/faults', 'none', 'none', 'bearer', 0.4),
  E('addFault', 'POST', '/_cloudpartner/faults', 'fault', 'none', 'bearer', 1),
  E('deleteFault', 'DELETE', '/_cloudpartner/faults/{op}', 'none', 'none', 'bearer', 0.3),
  E('getClock', 'GET', '/_cloudpartner/clock', 'none', 'none', 'bearer', 0.2),
  E('putClock', 'PUT', '/_cloudpartner/clock', 'clock', 'none', 'bearer', 0.3),
  E('advanceClock', 'POST', '/_cloudpartner/clock/advance', 'clock', 'none', 'bearer', 0.3),
  E('resetSandbox', 'POST', '/_cloudpartner/reset', 'clock', 'none', 'bearer', 0.1),
  E('saveSnapshot', 'PUT', '/_cloudpartner/snapshots/{o}', 'none', 'none', 'bearer', 0.1),
  E('journal', 'GET', '/_cloudpartner/journal', 'none', 'none', 'bearer', 0.2),
  E('outbox', 'GET', '/_cloudpartner/outbox', 'none', 'none', 'bearer', 0.2),
  // Webhooks, with every token: an Owner's creates one (to a closed local port), the others are refused.
  E('addWebhook', 'POST', '/_cloudpartner/webhooks', 'webhook', 'none', 'bearer', 0.5),
  E('listWebhooks', 'GET', '/_cloudpartner/webhooks', 'none', 'none', 'bearer', 0.3),
  E('deleteWebhook', 'DELETE', '/_cloudpartner/webhooks/{op}', 'none', 'none', 'bearer', 0.2),
  E('webhookDeliveries', 'GET', '/_cloudpartner/webhooks/{op}/deliveries', 'none', 'none', 'bearer', 0.2),
  // The audit trail, with every token: an Owner's reads contoso's; no planted secret or token may show in it.
  E('audit', 'GET', '/_cloudpartner/audit', 'none', 'audit', 'bearer', 1),
  // The product-ingestion face, over the same offers.
  E('piProducts', 'GET', '/rp/product-ingestion/product', 'none', 'products', 'bearer', 1.5),
  E('piPlans', 'GET', '/rp/product-ingestion/plan', 'none', 'plans', 'bearer', 1),
  E('piTree', 'GET', '/rp/product-ingestion/resource-tree/product/{g}', 'none', 'tree', 'bearer', 2),
  E('piResource', 'GET', '/rp/product-ingestion/product/{g}', 'none', 'none', 'bearer', 1),
  E('piSubmissions', 'GET', '/rp/product-ingestion/submission/{g}', 'none', 'tree', 'bearer', 1),
  E('piConfigure', 'POST', '/rp/product-ingestion/configure', 'configure', 'none', 'bearer', 5),
  E('piJobStatus', 'GET', '/rp/product-ingestion/configure/{op}/status', 'none', 'none', 'bearer', 1),
  E('piJobDetail', 'GET', '/rp/product-ingestion/configure/{op}', 'none', 'none', 'bearer', 0.5),
  E('piJobCancel', 'POST', '/rp/product-ingestion/configure/{op}/cancel', 'none', 'none', 'bearer', 0.5),
];

/** The token service's endpoints answer errors in OAuth's shape (`{"error":"…","error_description":"…"}`), as OAuth libraries expect. */
function answersOAuth(endpoint: Endpoint): boolean {
  return endpoint.auth === 'client' || endpoint.path.includes('oauth2') || endpoint.name === 'instanceDiscovery';
}

/** Path segments that should never get past validation, written as they go on the wire. */
export const HOSTILE_SEGMENTS: ReadonlyArray<string | Buffer> = [
  '',
  '.',
  '..',
  '...',
  '%2e%2e',
  '%2E',
  '%2F',
  '%2f..%2f',
  '..%2f..%2fapi',
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%C0%AE',
  '%ff',
  '%e2%82',
  '%ED%A0%80',
  '$',
  '$$',
  '%24',
  'contoso$contoso',
  "contoso'--",
  "'%20OR%20'1'='1",
  '1;DROP%20TABLE%20offers',
  '%22;%20DROP%20TABLE%20offers;--',
  '$.definition',
  '$..*',
  '@.offerTypeId',
  '%7B%7B7*7%7D%7D',
  '%3Cscript%3E',
  'ö',
  '%C3%B6',
  '%E6%97%A5%E6%9C%AC',
  '%F0%9F%99%82',
  'a%20b',
  '+',
  'a+b',
  '~',
  '-',
  '_',
  'a;b=c',
  ';',
  '*',
  '\\',
  '%5C',
  'null',
  '__proto__',
  'constructor',
  'prototype',
  '0',
  '-1',
  '2147483648',
  '99999999999999999999',
  '1e3',
  '0x10',
  ' 1',
  '%20',
  '%09',
  '%0d%0aSet-Cookie:%20x',
  'DRAFT',
  'staging',
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc3, 0xb6]),
  Buffer.from([0xe6, 0x97, 0xa5]),
  Buffer.from('a\u0000b', 'latin1'),
  'x'.repeat(51),
  'x'.repeat(1_000),
  'y'.repeat(8_000),
  'z'.repeat(15_000),
  'z'.repeat(17_000),
];

const CONTENT_TYPES: readonly (string | undefined)[] = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'APPLICATION/JSON;CHARSET=UTF-8',
  'application/json;',
  'application/json ; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset="utf-8"',
  'application/json, text/plain',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'text/plain',
  'text/json',
  '',
  '*/*',
  'application/',
  '/json',
  'application/json\u0000',
  'a'.repeat(5_000),
];

const METHODS = [
  'GET',
  'HEAD',
  'PUT',
  'POST',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'MKCOL',
  'LOCK',
  'SEARCH',
  'PURGE',
  'M-SEARCH',
  'UNLINK',
  'REPORT',
  'FOO',
  'get',
  'G\u00c9T',
  'CONNECT',
];

// ---------------------------------------------------------------------------------------------
// Building one request

interface Draft {
  endpoint: Endpoint;
  method: string;
  segments: Array<string | Buffer>;
  query: string | Buffer | undefined;
  version: string;
  headers: Array<[string, string | Buffer]>;
  body: Buffer | undefined;
  contentLength: 'auto' | 'none';
  offerId: string | undefined;
  markers: string[];
  notes: string[];
  endAfterWrite: boolean;
}

function offerDocument(rng: Rng, id: string, marker: string): Record<string, unknown> {
  if (rng.chance(0.15)) {
    const type = rng.pick(OFFER_TYPES.filter((candidate) => candidate.id !== 'microsoft-azure-virtualmachines')).id;
    return { offerTypeId: type, definition: { displayText: `${id} as ${type}`, offer: {}, plans: [] } };
  }
  const document = publishableOffer(id);
  const definition = document['definition'] as Record<string, any>;
  definition['displayText'] = `${id} fuzzed ${rng.hex(6)}`;
  definition['offer']['microsoft-azure-marketplace.marketoLeadConfiguration'] = { clientId: 'fuzz-client', clientSecret: marker, munchkinId: '123-ABC-456' };
  if (rng.chance(0.2)) delete document['id'];
  if (rng.chance(0.3)) document['publisherId'] = 'Contoso';
  return document;
}

function fill(rng: Rng, state: FuzzState, endpoint: Endpoint, segment: string, draft: Draft): string {
  switch (segment) {
    case '{p}':
      return rng.weighted([
        [20, 'contoso'],
        [2, 'Contoso'],
        [2, 'fabrikam'],
        [1, 'nobody'],
      ]);
    case '{o}': {
      const id = rng.weighted([
        [12, rng.pick(state.offerIds)],
        [2, DEMO_OFFER_ID],
        [1, 'missing-offer'],
      ]);
      draft.offerId = id;
      return rng.chance(0.05) ? id.toUpperCase() : id;
    }
    case '{v}':
      return String(rng.int(1, 7));
    case '{s}':
      return rng.pick(['Draft', 'Preview', 'Production', 'preview', 'PRODUCTION']);
    case '{op}':
      return state.operations.length > 0 && rng.chance(0.7) ? rng.pick(state.operations) : rng.guid();
    case '{key}':
      return `contoso$${rng.pick(state.offerIds)}$${rng.int(1, 4)}$${rng.pick(['preview', 'production', 'staging'])}`;
    case '{m}':
      return rng.guid();
    case '{g}': {
      const offerId = rng.weighted([
        [12, rng.pick(state.offerIds)],
        [2, DEMO_OFFER_ID],
        [1, 'missing-offer'],
      ]);
      draft.offerId = offerId;
      return rng.chance(0.05) ? rng.guid() : productGuid('contoso', offerId);
    }
    case '{t}':
      return rng.weighted([
        [6, state.client.tenant],
        [1, 'common'],
        [1, 'organizations'],
        [1, rng.guid()],
      ]);
    default:
      void endpoint;
      return segment;
  }
}

function queryFor(rng: Rng, kind: QueryKind, state: FuzzState): string | undefined {
  switch (kind) {
    case 'none':
      return rng.chance(0.1) ? API_VERSION : undefined;
    case 'filter':
      return rng.chance(0.3) ? `${API_VERSION}&$filter=${percentEncode(`offerTypeId eq '${rng.pick(OFFER_TYPES).id}'`)}` : API_VERSION;
    case 'submissions':
      return rng.chance(0.4)
        ? `${API_VERSION}&${rng.pick(['status', 'submissionState', 'filteredStatus'])}=${rng.pick(['running', 'completed', 'Canceled', 'failed'])}`
        : API_VERSION;
    case 'tenant':
      return rng.chance(0.3) ? `${API_VERSION}&tenantId=${rng.guid()}` : API_VERSION;
    case 'products':
      return rng.weighted<string | undefined>([
        [3, undefined],
        [3, `externalId=${DEMO_OFFER_ID}`],
        [1, `externalid=%22${DEMO_OFFER_ID}%22&$version=2022-07-01`],
        [2, '$maxpagesize=1'],
        [1, `$maxpagesize=${rng.pick(['0', '-1', 'x', '99999999'])}`],
        [1, `continuationToken=${rng.pick(['T2Ex', 'bm90LWEtdG9rZW4', '%00', '====', 'x'.repeat(60)])}`],
        [1, `type=${rng.pick(['azureVirtualMachine', 'coreVirtualMachine', 'softwareAsAService'])}`],
      ]);
    case 'plans':
      return rng.weighted<string | undefined>([
        [4, `product=product/${productGuid('contoso', DEMO_OFFER_ID)}`],
        [2, `product=product/${productGuid('contoso', DEMO_OFFER_ID)}&externalId=contososkuidentifier`],
        [1, `product=${productGuid('contoso', DEMO_OFFER_ID)}`],
        [1, `product=${rng.guid()}`],
        [1, undefined],
      ]);
    case 'tree':
      return rng.weighted<string | undefined>([
        [3, undefined],
        [2, 'targetType=draft'],
        [1, 'targetType=preview'],
        [1, 'targetType=live'],
        [1, `targetType=${rng.pick(['staging', '%22live%22', ''])}`],
        [
          2,
          `$version=${rng.pick(['2022-03-01-preview2', '2022-03-01-preview3', '2022-07-01', '2021-01-01', '2026-04-01-preview1', 'latest', '2022-03-01-preview999'])}`,
        ],
      ]);
    case 'audit': {
      const token = Buffer.from(`a${rng.int(0, 100_000)}`).toString('base64url');
      return rng.weighted<string | undefined>([
        [4, 'publisherId=contoso'],
        [3, `publisherId=contoso&offerId=${rng.pick(state.offerIds)}&limit=${rng.int(1, 5)}`],
        [1, `publisherId=contoso&limit=${rng.pick(['0', '1001', 'x', '-1', '1e2', '%00'])}`],
        [1, `publisherId=contoso&since=${rng.pick(['2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z', 'yesterday', '0', '2026-01-01T00:00:00%2B01:00', '%FF'])}`],
        [1, `publisherId=contoso&continuationToken=${rng.pick([token, 'bm90LWEtdG9rZW4', '====', 'x'.repeat(60)])}`],
        [1, `publisherId=${rng.pick(['fabrikam', 'Contoso', 'nobody', '%2e%2e'])}`],
        [1, `offerId=${rng.pick(state.offerIds)}`],
        [1, undefined],
      ]);
    }
    case 'instance':
      return rng.weighted<string | undefined>([
        [4, `api-version=1.1&authorization_endpoint=${percentEncode(`https://127.0.0.1/${rng.chance(0.5) ? 'common' : rng.guid()}/oauth2/v2.0/authorize`)}`],
        [1, 'api-version=1.1&authorization_endpoint=not%20a%20url'],
        [1, 'api-version=1.1'],
        [1, undefined],
      ]);
    default:
      return API_VERSION;
  }
}

function bodyFor(rng: Rng, state: FuzzState, draft: Draft, index: number): Buffer | undefined {
  switch (draft.endpoint.body) {
    case 'offer': {
      // The dry run also validates the draft, with no body.
      if (draft.endpoint.name === 'validate' && rng.chance(0.3)) return undefined;
      const marker = `${state.markerPrefix}${index}`;
      draft.markers.push(marker);
      return Buffer.from(toJson(offerDocument(rng, draft.offerId ?? 'x', marker)));
    }
    case 'notification':
      return rng.weighted([
        [5, undefined],
        [2, Buffer.from('')],
        [2, Buffer.from('{}')],
        [3, Buffer.from(JSON.stringify({ metadata: { 'notification-emails': 'jdoe@contoso.com,ops@contoso.com' } }))],
      ]);
    case 'member':
      return Buffer.from(
        JSON.stringify({
          tenantId: rng.chance(0.8) ? state.client.tenant : rng.guid(),
          role: rng.pick(['Reader', 'Contributor', 'Owner']),
          displayName: 'fuzz member',
        }),
      );
    case 'application':
      return Buffer.from(
        toJson(
          rng.pick<unknown>([
            { role: rng.pick(['Reader', 'Contributor', 'Owner']), displayName: 'fuzz application' },
            { role: 'Administrator' },
            { displayName: 'x'.repeat(300) },
            [],
          ]),
        ),
      );
    case 'fault':
      return Buffer.from(
        toJson(
          rng.pick([
            { match: { offerId: rng.pick(state.offerIds) }, effect: { fail: { messages: ['fuzz finding'] } }, times: 1 },
            { match: { path: '/api/**' }, effect: { status: rng.pick([429, 500, 502, 503]) } },
            { match: { method: 'GET' }, effect: { drop: true }, probability: 0.5, seed: 7 },
            { effect: { block: true } },
          ]),
        ),
      );
    case 'webhook':
      return Buffer.from(
        toJson({
          url: rng.pick(['http://127.0.0.1:9/hooks', 'https://127.0.0.1:9/x', 'ftp://127.0.0.1/x']),
          events: rng.pick([['offer.updated'], ['operation.started', 'operation.failed'], ['nothing']]),
          publisherId: rng.pick(['contoso', 'fabrikam', 'nobody']),
          secret: rng.pick([FUZZ_WEBHOOK_SECRET, 'short']),
        }),
      );
    case 'configure':
      return Buffer.from(toJson(configureRequest(rng, state, draft)));
    case 'clock':
      return Buffer.from(toJson(rng.pick([{ stepDurations: 'realistic' }, { stepDurations: { live: 1 } }, { ms: 86_400_000 }])));
    case 'form': {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: rng.chance(0.8) ? state.client.id : rng.guid(),
        client_secret: rng.chance(0.5) ? state.client.secret : 'not-the-secret',
      });
      if (draft.endpoint.name === 'tokenV1') form.set('resource', 'https://cloudpartner.azure.com');
      else form.set('scope', 'https://cloudpartner.azure.com/.default');
      return Buffer.from(form.toString());
    }
    default:
      return undefined;
  }
}

/** A configure request of the product-ingestion face: edits of the fuzzed offers, a submission now and then, some of it wrong. */
function configureRequest(rng: Rng, state: FuzzState, draft: Draft): unknown {
  const MP = 'https://schema.mp.microsoft.com/schema';
  const offerId = rng.pick(state.offerIds);
  draft.offerId = offerId;
  const product = rng.chance(0.9) ? `product/${productGuid('contoso', offerId)}` : { externalId: offerId };
  const pick = (): unknown =>
    rng.weighted<unknown>([
      [
        4,
        { $schema: `${MP}/listing/2022-03-01-preview5`, kind: 'azureVM', product, languageId: 'en-us', title: rng.pick(['Fuzzed title', '', 'x'.repeat(300)]) },
      ],
      [
        2,
        {
          $schema: `${MP}/plan/2022-03-01-preview2`,
          product,
          identity: { externalId: rng.pick(['fuzz-plan', 'Bad Plan', 'contososkuidentifier']) },
          alias: 'Fuzz plan',
        },
      ],
      [
        2,
        {
          $schema: `https://product-ingestion.azureedge.net/schema/virtual-machine-plan-technical-configuration/2022-03-01-preview2`,
          product,
          plan: { externalId: rng.pick(['fuzz-plan', 'contososkuidentifier', 'no-plan']) },
          skus: [{ imageType: rng.pick(['x64Gen1', 'x64Gen2', 'riscv']), skuId: rng.pick(['fuzz-plan', 'contososkuidentifier']) }],
          vmImageVersions: [
            {
              versionNumber: rng.pick(['9.9.9', '1.0.1', 'not.a.version']),
              lifecycleState: rng.pick(['generallyAvailable', 'deprecated', 'deleted']),
              vmImages: [
                {
                  imageType: 'x64Gen1',
                  source: {
                    sourceType: 'sasUri',
                    osDisk: rng.chance(0.8) ? { uri: 'https://x.blob.core.windows.net/v/a.vhd?sig=x' } : null,
                    dataDisks: [null],
                  },
                },
              ],
            },
          ],
        },
      ],
      [1, { $schema: `${MP}/submission/2022-03-01-preview2`, product, target: { targetType: rng.pick(['preview', 'live', 'draft', 'retail']) } }],
      [
        1,
        {
          $schema: `${MP}/product/2022-03-01-preview3`,
          identity: { externalId: rng.pick(['fuzz-new', offerId]) },
          type: rng.pick(['azureVirtualMachine', 'coreVirtualMachine']),
          alias: 'Fuzz',
        },
      ],
      [1, { $schema: `${MP}/no-such-type/2022-03-01-preview2`, product }],
      [
        2,
        {
          $schema: `${MP}/listing-asset/2022-03-01-preview5`,
          kind: 'azure',
          product,
          listing: `listing/${productGuid('contoso', offerId)}/public/main/default/en-us`,
          languageId: 'en-us',
          type: rng.pick(['azureLogoScreenshot', 'pdfDocument', 'azureLogoSmall', 'azureLogoHero', 'video']),
          ...(rng.chance(0.8) ? { url: rng.pick(['https://example.com/a.png', 'https://example.com/guide.pdf', 'ftp://x']) } : {}),
          ...(rng.chance(0.7) ? { fileName: rng.pick(['a.png', 'guide.pdf', 'notes.txt']) } : {}),
          ...(rng.chance(0.2) ? { lifecycleState: rng.pick(['deleted', 'deprecated']) } : {}),
        },
      ],
      [
        1,
        {
          $schema: `${MP}/listing-trailer/2022-03-01-preview5`,
          kind: 'azure',
          product,
          listing: `listing/${productGuid('contoso', offerId)}/public/main/default/en-us`,
          streamingUrl: rng.pick(['https://video.example.com/a', 'not a url']),
          ...(rng.chance(0.7) ? { assets: { 'en-us': { title: 'Trailer', imageList: rng.pick([[{ url: 'https://example.com/t.png' }], [], [null]]) } } } : {}),
          ...(rng.chance(0.2) ? { lifecycleState: 'deleted' } : {}),
        },
      ],
      [
        1,
        {
          $schema: `${MP}/test-drive/2022-03-01-preview2`,
          product,
          enabled: rng.pick([true, false, 'yes']),
          ...(rng.chance(0.6) ? { type: rng.pick(['azureResourceManager', 'logicApp', 'spaceship']) } : {}),
        },
      ],
      [
        1,
        {
          $schema: `${MP}/submission/2022-03-01-preview2`,
          product,
          target: { targetType: 'live' },
          lifecycleState: rng.pick(['deprecated', 'generallyAvailable']),
          ...(rng.chance(0.7) ? { deprecationSchedule: { dateOffset: rng.pick(['P30D', 'P1Y2M', 'PT', 'forever']), reason: 'endOfSupport' } } : {}),
        },
      ],
      [
        1,
        {
          $schema: `${MP}/product/2022-03-01-preview3`,
          identity: { externalId: offerId },
          type: 'azureVirtualMachine',
          alias: 'Fuzz',
          lifecycleState: rng.pick(['deprecated', 'generallyAvailable']),
        },
      ],
      [1, { $schema: `${MP}/reseller/2022-03-01-preview2`, product, resellerChannelState: rng.pick(['none', 'all', 'weird']) }],
    ]);
  const resources = Array.from({ length: rng.int(1, 4) }, pick);
  return rng.weighted<unknown>([
    [10, { $schema: `${MP}/configure/2022-03-01-preview2`, resources }],
    [1, { $schema: `${MP}/configure/2022-03-01-preview2`, resources: [] }],
    [1, { resources }],
    [1, resources],
  ]);
}

function authHeader(rng: Rng, state: FuzzState, endpoint: Endpoint): string | undefined {
  if (endpoint.auth === 'none') return rng.chance(0.1) ? `Bearer ${state.tokens.owner}` : undefined;
  if (endpoint.auth === 'client') {
    return rng.chance(0.2) ? `Basic ${Buffer.from(`${state.client.id}:${state.client.secret}`).toString('base64')}` : undefined;
  }
  return `Bearer ${rng.weighted<string>([
    [20, state.tokens.owner],
    [3, state.tokens.reader],
    [2, state.tokens.foreign],
    [state.tokens.jwt ? 4 : 0, state.tokens.jwt ?? ''],
  ])}`;
}

function baseDraft(rng: Rng, state: FuzzState, index: number, endpoint: Endpoint = rng.weighted(ENDPOINTS.map((e) => [e.weight, e] as const))): Draft {
  const draft: Draft = {
    endpoint,
    method: endpoint.method,
    segments: [],
    query: undefined,
    version: 'HTTP/1.1',
    headers: [['Host', '127.0.0.1']],
    body: undefined,
    contentLength: 'auto',
    offerId: undefined,
    markers: [],
    notes: [],
    endAfterWrite: false,
  };
  draft.segments = endpoint.path.map((segment) => fill(rng, state, endpoint, segment, draft));
  draft.query = queryFor(rng, endpoint.query, state);
  const auth = authHeader(rng, state, endpoint);
  if (auth) draft.headers.push(['Authorization', auth]);
  draft.body = bodyFor(rng, state, draft, index);
  if (draft.body !== undefined) {
    draft.headers.push(['Content-Type', endpoint.body === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']);
  }
  if (endpoint.method === 'PUT' && endpoint.body === 'offer' && draft.offerId) {
    const etag = state.etags.get(draft.offerId);
    const ifMatch = rng.weighted<string | undefined>([
      [6, etag],
      [3, '*'],
      [2, undefined],
      [1, 'W/"datetime\'2017-06-07T06%3A15%3A39.7349221Z\'"'],
    ]);
    if (ifMatch !== undefined) draft.headers.push(['If-Match', ifMatch]);
  }
  draft.headers.push(['Connection', rng.chance(0.8) ? 'close' : 'keep-alive']);
  // A third of the requests ask for a language (D98); from a generator of its own, so the rest of the run stays as it was.
  const languageRng = Rng.forItem(0x6c616e67, index);
  if (languageRng.chance(0.3)) draft.headers.push(['Accept-Language', acceptLanguage(languageRng)]);
  return draft;
}

const LANGUAGE_TAGS = [
  'en',
  'en-US',
  'ru',
  'ru-RU',
  'nl',
  'nl-BE',
  'zh',
  'zh-CN',
  'zh-Hans',
  'zh-Hant',
  'zh-TW',
  'fr',
  'de-DE',
  'ja',
  'x-klingon',
  '*',
  'i-default',
  '',
];

/** An Accept-Language header as browsers send it, or broken: odd q-values, empty ranges, junk, a very long list. */
export function acceptLanguage(rng: Rng): string {
  const range = () => {
    const tag = rng.pick(LANGUAGE_TAGS);
    return rng.weighted<string>([
      [5, tag],
      [4, `${tag};q=${rng.pick(['1', '0.9', '0.5', '0.01', '0', '1.000', '0.123'])}`],
      [2, `${tag};q=${rng.pick(['2', '-1', '', 'abc', '0.1234', '1.5', 'NaN', '1e-1', ' 0.5'])}`],
      [1, `${tag};level=1;q=0.5`],
      [1, `${tag} ; Q = 0.7`],
    ]);
  };
  return rng.weighted<string>([
    [6, Array.from({ length: rng.int(1, 5) }, range).join(rng.pick([',', ', ', ' ,']))],
    [1, rng.pick([',,,', ';', ';q=1', 'ru;', 'q=0.5', 'zh-', '-ru', 'ru_RU', 'RU-ru', 'ZH-hans', '\t', 'ru\u00ff'])],
    [1, Array.from({ length: rng.int(200, 900) }, range).join(',')],
    [1, rng.pick(HOSTILE_STRINGS.filter((text) => /^[\x20-\x7e]*$/.test(text)))],
  ]);
}

function setHeader(draft: Draft, name: string, value: string | Buffer | undefined): void {
  draft.headers = draft.headers.filter(([existing]) => existing.toLowerCase() !== name.toLowerCase());
  if (value !== undefined) draft.headers.push([name, value]);
}

// ---------------------------------------------------------------------------------------------
// The mutation kinds

function mutateDocument(rng: Rng, state: FuzzState, draft: Draft, index: number): void {
  // A structurally mutated body on a write endpoint.
  if (draft.endpoint.body === 'none' || draft.endpoint.body === 'form') {
    draft.endpoint = rng.pick(ENDPOINTS.filter((e) => e.body === 'offer'));
    Object.assign(draft, baseDraft(rng, state, index, draft.endpoint));
  }
  let value: unknown = draft.body && draft.body.length > 0 ? JSON.parse(draft.body.toString('utf8')) : {};
  const { root, ops } = mutateStructure(rng, value);
  value = root;
  draft.notes.push(`document ${ops.join(' ')}`);
  draft.body = Buffer.from(value === undefined ? '' : toJson(value));
  if (draft.headers.every(([name]) => name.toLowerCase() !== 'content-type')) draft.headers.push(['Content-Type', 'application/json']);
}

function mutateJsonText(rng: Rng, state: FuzzState, draft: Draft, index: number): void {
  if (draft.endpoint.body === 'none' || draft.endpoint.body === 'form') {
    draft.endpoint = rng.pick(ENDPOINTS.filter((e) => e.body !== 'none' && e.body !== 'form'));
    Object.assign(draft, baseDraft(rng, state, index, draft.endpoint));
  }
  const { body, op } = mutateText(rng, draft.body?.toString('utf8') ?? '{}');
  draft.body = body;
  draft.notes.push(`json ${op}`);
  if (draft.headers.every(([name]) => name.toLowerCase() !== 'content-type')) draft.headers.push(['Content-Type', 'application/json']);
}

function mutatePath(rng: Rng, draft: Draft): void {
  for (let n = rng.int(1, 2); n > 0; n--) {
    const op = rng.weighted<string>([
      [8, 'replace'],
      [2, 'insert'],
      [2, 'append'],
      [1, 'remove'],
      [1, 'double-slash'],
      [1, 'encode'],
    ]);
    const at = rng.int(0, Math.max(0, draft.segments.length - 1));
    const hostile = rng.pick(HOSTILE_SEGMENTS);
    switch (op) {
      case 'replace':
        draft.segments[at] = hostile;
        break;
      case 'insert':
        draft.segments.splice(at, 0, hostile);
        break;
      case 'append':
        draft.segments.push(hostile);
        break;
      case 'remove':
        draft.segments.splice(at, 1);
        break;
      case 'double-slash':
        draft.segments.splice(at, 0, '');
        break;
      default: {
        // Percent-encode every character of one segment (ids must still match).
        const segment = draft.segments[at];
        if (typeof segment === 'string') draft.segments[at] = [...Buffer.from(segment)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
      }
    }
    draft.notes.push(`path ${op} ${typeof hostile === 'string' ? hostile.slice(0, 20) : `0x${hostile.toString('hex')}`}`);
  }
}

/** Percent-encodes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as Buffer writes them). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function mutateQuery(rng: Rng, draft: Draft): void {
  const base = typeof draft.query === 'string' ? draft.query : API_VERSION;
  const op = rng.weighted<string>([
    [3, 'repeat-api'],
    [2, 'missing'],
    [2, 'bad-api'],
    [3, 'malformed'],
    [3, 'injection'],
    [2, 'long'],
    [1, 'many'],
    [1, 'bytes'],
    [2, 'proto'],
    [2, 'repeat-param'],
  ]);
  draft.notes.push(`query ${op}`);
  switch (op) {
    case 'repeat-api':
      draft.query = `${base}&${API_VERSION}`;
      break;
    case 'missing':
      draft.query = rng.pick([undefined, '', '&', 'api-version']);
      break;
    case 'bad-api':
      draft.query = rng.pick([
        'api-version=',
        'api-version=2016-08-01',
        'API-VERSION=2017-10-31',
        'api-version=2017-10-31%00',
        'api-version=%zz',
        'api-version[]=2017-10-31',
        'api-version[a]=1',
        'api%2Dversion=2017-10-31',
        'api-version=2017-10-31;x',
      ]);
      break;
    case 'malformed':
      draft.query = `${base}&${rng.pick(['&&&', '=', '=&=', '%', '%%', '%zz=1', 'a=%', '?', '#frag', 'a==b', '&=x', 'x=y=z', '+', '%2B', 'a[b][c]=d'])}`;
      break;
    case 'injection':
      draft.query = `${base}&${rng.pick(['$filter', 'status', 'submissionState', 'filteredStatus', 'tenantId', 'includeAllPricing'])}=${percentEncode(rng.pick(HOSTILE_STRINGS))}`;
      break;
    case 'long':
      draft.query = `${base}&x=${'a'.repeat(rng.int(1_000, 17_000))}`;
      break;
    case 'many':
      draft.query = `${base}&${Array.from({ length: rng.int(100, 1_500) }, (_, i) => `p${i}=${i}`).join('&')}`;
      break;
    case 'bytes':
      draft.query = Buffer.concat([Buffer.from(`${base}&x=`), Buffer.from(rng.pick(INVALID_UTF8))]);
      break;
    case 'proto':
      draft.query = `${base}&${rng.pick(['__proto__=1', '__proto__[api-version]=x', 'constructor=1', 'constructor[prototype][x]=1', 'hasOwnProperty=1', 'toString=1'])}`;
      break;
    default:
      draft.query = `${base}&${rng.pick(['$filter', 'status', 'submissionState', 'tenantId'])}=a&${rng.pick(['$filter', 'status', 'submissionState', 'tenantId'])}=b`;
  }
}

function mutateHeaders(rng: Rng, state: FuzzState, draft: Draft): void {
  for (let n = rng.int(1, 3); n > 0; n--) {
    const op = rng.weighted<string>([
      [4, 'authorization'],
      [4, 'content-type'],
      [3, 'if-match'],
      [3, 'repeat'],
      [3, 'extra'],
      [1, 'oversized'],
      [1, 'many'],
      [2, 'bytes'],
      [1, 'bad-name'],
      [2, 'host'],
    ]);
    draft.notes.push(`header ${op}`);
    switch (op) {
      case 'authorization':
        setHeader(
          draft,
          'Authorization',
          rng.pick<string | undefined>([
            undefined,
            '',
            'Bearer',
            'Bearer ',
            `bearer ${state.tokens.owner}`,
            `BEARER  ${state.tokens.owner}  `,
            `Basic ${Buffer.from('user:pass').toString('base64')}`,
            `Basic ${Buffer.from('a%zz:b%').toString('base64')}`,
            'Basic !!!',
            `Bearer ${state.tokens.owner} extra`,
            `Bearer ${state.tokens.owner},Bearer ${state.tokens.reader}`,
            `Bearer ${'a'.repeat(rng.int(100, 12_000))}`,
            'Bearer cpat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
            "Bearer ' OR 1=1 --",
            'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
            'Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL2Nsb3VkcGFydG5lci5henVyZS5jb20ifQ.c2ln',
            'Bearer a.b.c',
            'Negotiate xyz',
            'Bearer\ttoken',
          ]),
        );
        break;
      case 'content-type':
        setHeader(draft, 'Content-Type', rng.pick(CONTENT_TYPES));
        break;
      case 'if-match':
        setHeader(
          draft,
          'If-Match',
          rng.pick<string | undefined>([
            undefined,
            '',
            '*',
            ' * ',
            '"x"',
            'W/"x"',
            'W/',
            '"a", "b"',
            '*, "a"',
            'W/"' + 'a'.repeat(300) + '"',
            `W/"datetime'2017' OR 1=1--'"`,
            '"\\"',
            'null',
          ]),
        );
        break;
      case 'repeat': {
        const name = rng.pick(['Authorization', 'Content-Type', 'If-Match', 'Host', 'Content-Length', 'Transfer-Encoding', 'Cookie', 'X-Custom']);
        const existing = draft.headers.find(([header]) => header.toLowerCase() === name.toLowerCase());
        const value =
          name === 'Content-Length'
            ? String(rng.int(0, 10))
            : name === 'Transfer-Encoding'
              ? 'chunked'
              : existing && rng.chance(0.5)
                ? existing[1]
                : rng.pick(HOSTILE_STRINGS.filter((s) => !/[\r\n\u0000]/.test(s) && /^[\x20-\x7e]*$/.test(s)));
        draft.headers.push([name, value]);
        // The body may now be shorter than announced: say so by closing, as a client that gave up would.
        if (name === 'Content-Length' || name === 'Transfer-Encoding') draft.endAfterWrite = true;
        break;
      }
      case 'extra':
        draft.headers.push(
          rng.pick<[string, string]>([
            ['X-HTTP-Method-Override', 'DELETE'],
            ['X-Forwarded-For', '1.2.3.4, 5.6.7.8'],
            ['X-Forwarded-Host', 'evil.example'],
            ['X-Forwarded-Proto', 'https'],
            ['Accept', 'text/html'],
            ['Accept', 'application/xml'],
            ['Accept-Encoding', 'gzip, br'],
            ['Accept-Charset', 'utf-16'],
            ['Range', 'bytes=0-10'],
            ['If-None-Match', '*'],
            ['If-Modified-Since', 'yesterday'],
            ['Origin', 'https://evil.example'],
            ['Cookie', 'session=1; x=' + 'y'.repeat(100)],
            ['Upgrade', 'h2c'],
            ['Upgrade', 'websocket'],
            ['TE', 'trailers'],
            ['Content-Encoding', 'gzip'],
            ['Content-Encoding', 'br'],
            ['Expect', '100-continue'],
            ['Max-Forwards', '0'],
            ['X-Request-Id', "' OR 1=1 --"],
            ['Prefer', 'respond-async'],
          ]),
        );
        break;
      case 'oversized':
        draft.headers.push(['X-Big', 'b'.repeat(rng.int(16_500, 40_000))]);
        break;
      case 'many':
        for (let i = rng.int(100, 2_500); i > 0; i--) draft.headers.push([`X-H${i}`, String(i)]);
        break;
      case 'bytes':
        draft.headers.push([
          rng.pick(['X-Latin', 'Authorization', 'If-Match', 'Content-Type']),
          Buffer.concat([Buffer.from('v'), Buffer.from(rng.pick(INVALID_UTF8)), Buffer.from('é', 'latin1')]),
        ]);
        break;
      case 'bad-name':
        draft.headers.push([rng.pick(['Bad Name', 'X:Y', 'Ä', '(x)', '', 'X\u0000']), 'v']);
        break;
      default:
        setHeader(draft, 'Host', rng.pick<string | undefined>([undefined, '', 'evil.example', '[::1]:80', '127.0.0.1:99999', 'a'.repeat(5_000), 'x y', '%00']));
    }
  }
}

function mutateMethod(rng: Rng, draft: Draft): void {
  draft.method = rng.pick(METHODS);
  draft.notes.push(`method ${draft.method}`);
  if (draft.method === 'CONNECT') {
    draft.segments = [];
    draft.query = undefined;
  }
}

function chunked(rng: Rng, body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length;) {
    const size = Math.min(body.length - at, rng.int(1, Math.max(1, Math.ceil(body.length / 3))));
    parts.push(Buffer.from(`${size.toString(16)}${rng.chance(0.1) ? ';ext=1' : ''}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  parts.push(Buffer.from(rng.chance(0.1) ? '0\r\nX-Trailer: t\r\n\r\n' : '0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** HTTP-level oddities. Returns bytes when the request is built here, else tweaks the draft. */
function mutateFraming(rng: Rng, state: FuzzState, draft: Draft, index: number): { bytes?: Buffer; responses?: number; head?: boolean[]; oauth?: boolean[] } {
  const op = rng.weighted<string>([
    [2, 'version'],
    [2, 'no-host'],
    [2, 'expect'],
    [3, 'chunked'],
    [2, 'bad-chunked'],
    [2, 'cl-te'],
    [2, 'two-cl'],
    [2, 'bad-cl'],
    [2, 'short-body'],
    [1, 'long-body'],
    [3, 'pipelined'],
    [2, 'request-line'],
    [1, 'obs-fold'],
    [1, 'bare-lf'],
  ]);
  draft.notes.push(`framing ${op}`);
  const body = draft.body ?? Buffer.from('{}');
  switch (op) {
    case 'version':
      draft.version = rng.pick(['HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/9.9', 'http/1.1', 'HTTP/1.1 ', 'HTTP/1', 'HTTPS/1.1']);
      if (draft.version === 'HTTP/1.0' && rng.chance(0.5)) setHeader(draft, 'Host', undefined);
      return {};
    case 'no-host':
      setHeader(draft, 'Host', undefined);
      return {};
    case 'expect':
      draft.headers.push(['Expect', rng.pick(['100-continue', '100-Continue', 'foo', '200-ok', ''])]);
      return {};
    case 'chunked':
      if (!draft.body) draft.body = Buffer.from('{}');
      draft.headers.push(['Transfer-Encoding', 'chunked']);
      draft.body = chunked(rng, body);
      draft.contentLength = 'none';
      return {};
    case 'bad-chunked':
      draft.headers.push(['Transfer-Encoding', rng.pick(['chunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'xchunked'])]);
      draft.body = Buffer.from(
        rng.pick([
          'zz\r\n{}\r\n0\r\n\r\n',
          '2\r\n{}0\r\n\r\n',
          '-1\r\n{}\r\n0\r\n\r\n',
          'ffffffffffffffff\r\n{}\r\n0\r\n\r\n',
          '2\r\n{}\r\n',
          '2 \r\n{}\r\n0\r\n\r\n',
        ]),
      );
      draft.contentLength = 'none';
      draft.endAfterWrite = true;
      return {};
    case 'cl-te':
      draft.headers.push(['Transfer-Encoding', 'chunked'], ['Content-Length', String(body.length)]);
      draft.body = chunked(rng, body);
      draft.contentLength = 'none';
      draft.endAfterWrite = true;
      return {};
    case 'two-cl':
      draft.headers.push(['Content-Length', String(body.length)], ['Content-Length', String(rng.chance(0.5) ? body.length : body.length + 1)]);
      draft.body = body;
      draft.contentLength = 'none';
      draft.endAfterWrite = true;
      return {};
    case 'bad-cl':
      draft.headers.push(['Content-Length', rng.pick(['-1', 'abc', '1e3', '0x10', ' 2', '99999999999999999999', '2, 2', ''])]);
      draft.body = body;
      draft.contentLength = 'none';
      draft.endAfterWrite = true;
      return {};
    case 'short-body':
      // Content-Length promises more than is sent, then the client stops writing.
      draft.headers.push(['Content-Length', String(body.length + rng.int(1, 1_000))]);
      draft.body = body;
      draft.contentLength = 'none';
      draft.endAfterWrite = true;
      return {};
    case 'long-body':
      // More bytes than Content-Length: the rest is the start of a next (malformed) request.
      draft.body = Buffer.concat([body, Buffer.from(rng.pick(['garbage', '\r\n\r\n', 'GET / HTTP/1.1\r\n']))]);
      draft.headers.push(['Content-Length', String(body.length)]);
      draft.contentLength = 'none';
      draft.endAfterWrite = true;
      return {};
    case 'pipelined': {
      const count = rng.int(2, 5);
      const drafts = [draft, ...Array.from({ length: count - 1 }, () => baseDraft(rng, state, index))];
      for (const each of drafts) setHeader(each, 'Connection', 'keep-alive');
      return {
        bytes: Buffer.concat(drafts.map(serialize)),
        responses: count,
        head: drafts.map((each) => each.method === 'HEAD'),
        oauth: drafts.map((each) => answersOAuth(each.endpoint)),
      };
    }
    case 'request-line': {
      const target = targetOf(draft);
      const line = rng.pick([
        Buffer.concat([Buffer.from(`${draft.method}  `), target, Buffer.from(' HTTP/1.1')]),
        Buffer.concat([Buffer.from(`${draft.method}\t`), target, Buffer.from('\tHTTP/1.1')]),
        Buffer.concat([Buffer.from(`${draft.method} http://127.0.0.1`), target, Buffer.from(' HTTP/1.1')]),
        Buffer.concat([Buffer.from(`${draft.method} `), target]),
        Buffer.from(`${draft.method} * HTTP/1.1`),
        Buffer.concat([Buffer.from(`\r\n\r\n${draft.method} `), target, Buffer.from(' HTTP/1.1')]),
        Buffer.concat([Buffer.from(`${draft.method} `), target, Buffer.from(' HTTP/1.1\u0000')]),
        Buffer.from(`${draft.method} /${'p'.repeat(rng.int(16_000, 20_000))} HTTP/1.1`),
      ]);
      const rest = serialize(draft);
      return { bytes: Buffer.concat([line, rest.subarray(rest.indexOf('\r\n'))]) };
    }
    case 'obs-fold':
      draft.headers.push(['X-Folded', 'a\r\n b']);
      return {};
    default: {
      const bytes = serialize(draft);
      return { bytes: Buffer.from(bytes.toString('latin1').replaceAll('\r\n', '\n'), 'latin1') };
    }
  }
}

function targetOf(draft: Draft): Buffer {
  const path = Buffer.concat(draft.segments.flatMap((segment) => [Buffer.from('/'), typeof segment === 'string' ? Buffer.from(segment, 'utf8') : segment]));
  if (draft.query === undefined) return path.length === 0 ? Buffer.from('/') : path;
  return Buffer.concat([
    path.length === 0 ? Buffer.from('/') : path,
    Buffer.from('?'),
    typeof draft.query === 'string' ? Buffer.from(draft.query, 'utf8') : draft.query,
  ]);
}

function serialize(draft: Draft): Buffer {
  return buildRequest({
    method: draft.method,
    target: draft.method === 'CONNECT' ? '127.0.0.1:443' : targetOf(draft),
    version: draft.version,
    headers: draft.headers,
    ...(draft.body !== undefined ? { body: draft.body } : {}),
    contentLength: draft.contentLength,
  });
}

export const KINDS = ['valid', 'document', 'json', 'path', 'query', 'headers', 'method', 'framing'] as const;
export type Kind = (typeof KINDS)[number];

/** Generates request `index` of a run. */
export function generate(rng: Rng, index: number, state: FuzzState, only?: Kind): FuzzCase {
  const kind: Kind =
    only ??
    rng.weighted<Kind>([
      [16, 'valid'],
      [24, 'document'],
      [14, 'json'],
      [14, 'path'],
      [10, 'query'],
      [10, 'headers'],
      [5, 'method'],
      [7, 'framing'],
    ]);
  const draft = baseDraft(rng, state, index);
  let framed: { bytes?: Buffer; responses?: number; head?: boolean[]; oauth?: boolean[] } = {};
  switch (kind) {
    case 'document':
      mutateDocument(rng, state, draft, index);
      break;
    case 'json':
      mutateJsonText(rng, state, draft, index);
      break;
    case 'path':
      mutatePath(rng, draft);
      break;
    case 'query':
      mutateQuery(rng, draft);
      break;
    case 'headers':
      mutateHeaders(rng, state, draft);
      break;
    case 'method':
      mutateMethod(rng, draft);
      break;
    case 'framing':
      framed = mutateFraming(rng, state, draft, index);
      break;
    default:
      break;
  }
  const bytes = framed.bytes ?? serialize(draft);
  const target = targetOf(draft).toString('latin1');
  return {
    index,
    kind,
    summary: `${draft.method} ${target.length > 120 ? `${target.slice(0, 120)}…(${target.length})` : target}${draft.notes.length ? ` [${draft.notes.join('; ')}]` : ''} (${bytes.length} bytes)`,
    bytes,
    responses: framed.responses ?? 1,
    head: framed.head ?? [draft.method === 'HEAD'],
    ...(draft.endAfterWrite ? { endAfterWrite: true } : {}),
    oauth: framed.oauth ?? [answersOAuth(draft.endpoint)],
    ...(draft.offerId ? { offerId: draft.offerId } : {}),
    markers: draft.markers,
  };
}
