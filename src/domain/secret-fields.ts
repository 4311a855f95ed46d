/**
 * Secret-type fields: the values the CPP API accepts but never returns.
 *
 * The CPP pages say secret values are never retrieved but do not list the fields. These are the
 * fields that hold credentials: the lead-destination connection strings, passwords, client
 * secrets and signed endpoint URLs, and the test-drive application key. This list is the single
 * place that decides what is secret; the store keeps these values apart from the document
 * (encrypted), and every response is built from the document without them.
 *
 * A path is a list of keys from the `definition` object; '*' matches every element of an
 * array (e.g. every plan).
 */
import { jsonPath } from './offer-validation/json-path.ts';

export type SecretPath = readonly string[];

const LEAD_SECRETS: readonly SecretPath[] = [
  ['offer', 'microsoft-azure-marketplace.tableLeadConfiguration', 'storageAccountConnectionString'],
  ['offer', 'microsoft-azure-marketplace.blobLeadConfiguration', 'storageAccountConnectionString'],
  ['offer', 'microsoft-azure-marketplace.crmLeadConfiguration', 'password'],
  ['offer', 'microsoft-azure-marketplace.crmLeadConfiguration', 'applicationKey'],
  ['offer', 'microsoft-azure-marketplace.crmLeadConfiguration', 'clientSecret'],
  ['offer', 'microsoft-azure-marketplace.salesForceLeadConfiguration', 'password'],
  ['offer', 'microsoft-azure-marketplace.httpsEndpointLeadConfiguration', 'httpsEndpointUrl'],
  ['offer', 'microsoft-azure-marketplace.marketoLeadConfiguration', 'clientSecret'],
];

const TEST_DRIVE_SECRETS: readonly SecretPath[] = [['offer', 'microsoft-azure-marketplace-testdrive.azureADAppKey']];

const SECRETS_BY_OFFER_TYPE: Record<string, readonly SecretPath[]> = {
  'microsoft-azure-virtualmachines': [...LEAD_SECRETS, ...TEST_DRIVE_SECRETS],
  'microsoft-azure-corevm': [],
};

/** The secret fields of an offer type; types using the shared listing schema have the lead secrets. */
export function secretPathsFor(offerTypeId: string): readonly SecretPath[] {
  return SECRETS_BY_OFFER_TYPE[offerTypeId] ?? LEAD_SECRETS;
}

export interface SecretValue {
  /** JSON pointer into `definition`, e.g. `/offer/microsoft-azure-marketplace.marketoLeadConfiguration/clientSecret`. */
  pointer: string;
  value: unknown;
}

/**
 * Removes every secret field from a definition (in place) and returns the removed values.
 * What remains is safe to serve.
 */
export function extractSecrets(definition: unknown, offerTypeId: string): SecretValue[] {
  const found: SecretValue[] = [];
  for (const path of secretPathsFor(offerTypeId)) visit(definition, path, '', found);
  return found;
}

function visit(node: unknown, path: SecretPath, pointer: string, found: SecretValue[]): void {
  if (node === null || typeof node !== 'object') return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === '*') {
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, rest, `${pointer}/${index}`, found));
    return;
  }
  if (Array.isArray(node) || !Object.hasOwn(node, head)) return;
  const record = node as Record<string, unknown>;
  const childPointer = `${pointer}/${escapePointer(head)}`;
  if (rest.length === 0) {
    found.push({ pointer: childPointer, value: record[head] });
    delete record[head];
    return;
  }
  visit(record[head], rest, childPointer, found);
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Puts secret values back at their pointers (the inverse of extractSecrets), in place. */
export function insertSecrets(definition: Record<string, unknown>, secrets: readonly SecretValue[]): void {
  for (const secret of secrets) {
    const keys = secret.pointer
      .split('/')
      .slice(1)
      .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    let node: unknown = definition;
    for (const key of keys) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (last !== undefined && node !== null && typeof node === 'object') (node as Record<string, unknown>)[last] = secret.value;
  }
}

export interface SecretFieldState {
  /** JSON pointer into `definition`. */
  pointer: string;
  /** The same place as a JSON path from the document root, like the API's problems. */
  path: string;
  /** Whether the draft holds a value there (the value itself is never told). */
  set: boolean;
}

/**
 * Which secret fields of an offer type hold a value: every fixed secret path of the type, and
 * any other pointer that holds one (a path through an array, such as a plan's). Never the values.
 */
export function secretFieldStates(offerTypeId: string, setPointers: readonly string[]): SecretFieldState[] {
  const held = new Set(setPointers);
  const fixed = secretPathsFor(offerTypeId)
    .filter((path) => !path.includes('*'))
    .map((path) => `/${path.map(escapePointer).join('/')}`);
  const pointers = [...fixed, ...setPointers.filter((pointer) => !fixed.includes(pointer))];
  return pointers.map((pointer) => ({ pointer, path: pathOfPointer(pointer), set: held.has(pointer) }));
}

function pathOfPointer(pointer: string): string {
  const segments: (string | number)[] = ['definition'];
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    segments.push(/^(0|[1-9][0-9]*)$/.test(key) && segments.at(-1) === 'plans' ? Number(key) : key);
  }
  return jsonPath(segments);
}
