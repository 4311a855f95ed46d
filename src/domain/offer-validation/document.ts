/**
 * The PUT body check: structure and types of an offer document, every problem at once.
 *
 * A draft is work in progress, so this never asks for completeness (that is the publish check);
 * it rejects only what cannot be a valid document of the offer type: wrong JSON types, an
 * unknown offer type, plans without a usable or unique `planId`, malformed identifiers
 * (image versions, region codes, subscription GUIDs), and excessive nesting.
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { OFFER_TYPES } from '../offer-types.ts';
import { findTooDeep, MAX_NESTING_DEPTH } from './depth.ts';
import { describeType, jsonPath, pointerSegments, problemAt, quote, type PathSegment, type Problem } from './problems.ts';
import { type Message, type MessageParam, message } from '../messages/index.ts';
import { OPERATING_SYSTEM_FAMILIES } from './schemas/virtualmachines.ts';
import { definitionPartsFor, documentSchema, GENERIC } from './schemas/document.ts';
import { unstorableText } from '../text.ts';

// allErrors: a publisher fixing a document wants the whole list, not one problem per round trip.
// verbose: the error then carries the failing schema (for its `description`) and value.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });

/**
 * One compiled validator per offer type, built once at module load. Types without a schema of
 * their own share the generic one, which also checks documents of unknown types.
 */
const GENERIC_VALIDATOR = ajv.compile(documentSchema(GENERIC));
const VALIDATORS = new Map<string, ValidateFunction>(
  OFFER_TYPES.map((type) => {
    const parts = definitionPartsFor(type.id);
    return [type.id, parts === GENERIC ? GENERIC_VALIDATOR : ajv.compile(documentSchema(parts))];
  }),
);

/**
 * The same schemas, stopping at the first problem. Listing every problem costs time in
 * proportion to the document — a 4 MiB body of 800,000 bad plan entries takes seconds, during
 * which the server answers no one else — so a document with more than LIST_EVERY_PROBLEM_UP_TO
 * values is checked with these: a valid one passes as before, an invalid one gets its first
 * problem at once. (Real offer documents have a few hundred to a few thousand values.)
 */
const firstProblemAjv = new Ajv({ allErrors: false, verbose: true, strict: true });
const FIRST_PROBLEM_GENERIC = firstProblemAjv.compile(documentSchema(GENERIC));
const FIRST_PROBLEM_VALIDATORS = new Map<string, ValidateFunction>(
  OFFER_TYPES.map((type) => {
    const parts = definitionPartsFor(type.id);
    return [type.id, parts === GENERIC ? FIRST_PROBLEM_GENERIC : firstProblemAjv.compile(documentSchema(parts))];
  }),
);

/** Documents with up to this many values (objects, arrays and scalars) get every problem listed. */
export const LIST_EVERY_PROBLEM_UP_TO = 20_000;

/**
 * Checks a PUT body. Accepts incomplete drafts (work in progress): only structure and types are
 * checked, not completeness. Returns every problem found; an empty list means the body is valid.
 */
export function validateOfferDocument(body: unknown): Problem[] {
  const tooDeep = findTooDeep(body, MAX_NESTING_DEPTH);
  if (tooDeep !== undefined) {
    // Nothing else runs on such a document: later checks would walk it again.
    return [problemAt(jsonPath(tooDeep), message('document.tooDeep', { max: MAX_NESTING_DEPTH }))];
  }
  const badText = findUnstorableText(body);
  if (badText.length > 0) return badText;
  const offerTypeId = isRecord(body) ? body['offerTypeId'] : undefined;
  const listEvery = countValues(body, LIST_EVERY_PROBLEM_UP_TO) <= LIST_EVERY_PROBLEM_UP_TO;
  const validate = listEvery
    ? (typeof offerTypeId === 'string' && VALIDATORS.get(offerTypeId)) || GENERIC_VALIDATOR
    : (typeof offerTypeId === 'string' && FIRST_PROBLEM_VALIDATORS.get(offerTypeId)) || FIRST_PROBLEM_GENERIC;
  const problems = validate(body) ? [] : toProblems(validate.errors ?? [], body);
  return [...problems, ...duplicatePlanIds(body)];
}

interface TextFrame {
  value: unknown;
  key: PathSegment | undefined;
  parent: TextFrame | undefined;
}

/** Strings and keys no backend can store exactly (see text.ts), with their paths; at most 100. */
function findUnstorableText(body: unknown): Problem[] {
  const problems: Problem[] = [];
  const pathOf = (frame: TextFrame, last?: PathSegment) => {
    const segments: PathSegment[] = last === undefined ? [] : [last];
    for (let at: TextFrame | undefined = frame; at?.key !== undefined; at = at.parent) segments.unshift(at.key);
    return jsonPath(segments);
  };
  const stack: TextFrame[] = [{ value: body, key: undefined, parent: undefined }];
  while (stack.length > 0 && problems.length < 100) {
    const frame = stack.pop()!;
    const { value } = frame;
    if (typeof value === 'string') {
      const why = unstorableText(value);
      if (why) problems.push(problemAt(pathOf(frame), message('document.unstorableText', { why })));
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) stack.push({ value: value[index], key: index, parent: frame });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        const why = unstorableText(key);
        if (why) problems.push(problemAt(pathOf(frame, key), message('document.unstorableKey', { why })));
        stack.push({ value: child, key, parent: frame });
      }
    }
  }
  return problems;
}

/** How many values a JSON value holds, counting stops past `limit` (no recursion: depth is checked after). */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const item = stack.pop();
    count++;
    if (item !== null && typeof item === 'object') for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push(child);
  }
  return count;
}

export function toProblems(errors: readonly ErrorObject[], body: unknown): Problem[] {
  // `enum` is checked whatever the value's type, so a number where a string enum belongs fails
  // twice; the type error (which quotes the schema's description) says all there is to say.
  const wrongType = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
  const problems: Problem[] = [];
  for (const error of errors) {
    if (error.keyword === 'enum' && wrongType.has(error.instancePath)) continue;
    const problem = toProblem(error, body);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** Turns one ajv error into a problem whose message says what is wrong and what is expected. */
function toProblem(error: ErrorObject, body: unknown): Problem | undefined {
  const segments: PathSegment[] = pointerSegments(error.instancePath, body);
  const schema = (error.parentSchema ?? {}) as SchemaObject;
  const expected = typeof schema['description'] === 'string' ? expectedText(schema['description']) : undefined;
  const params = error.params as Record<string, unknown>;

  // A bad key of a keyed object (an image version): ajv reports the inner failure with
  // `propertyName` set, then a summary `propertyNames` error that adds nothing.
  if (error.keyword === 'propertyNames') return undefined;
  if (error.propertyName !== undefined) {
    return problemAt(jsonPath([...segments, error.propertyName]), sentence(message('document.keyInvalid', { key: quote(error.propertyName) }), expected));
  }

  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const properties = (schema['properties'] ?? {}) as Record<string, SchemaObject>;
      const description = properties[missing]?.['description'];
      return problemAt(
        jsonPath([...segments, missing]),
        sentence(message('document.required'), typeof description === 'string' ? expectedText(description) : undefined),
      );
    }
    case 'type': {
      const types = ([] as unknown[]).concat(params['type']).map((type): MessageParam => TYPE_NAMES[String(type)] ?? String(type));
      const wanted = types.reduce((first, second) => message('document.typeAlternatives', { first, second }));
      return problemAt(jsonPath(segments), sentence(message('document.wrongType', { expected: wanted, actual: describeType(error.data) }), expected));
    }
    case 'enum':
    case 'pattern':
      return problemAt(jsonPath(segments), sentence(message('document.valueInvalid', { value: quote(error.data) }), expected));
    case 'minimum':
    case 'maximum':
      return problemAt(
        jsonPath(segments),
        sentence(message(error.keyword === 'minimum' ? 'document.tooSmall' : 'document.tooLarge', { value: quote(error.data) }), expected),
      );
    case 'additionalProperties':
      return problemAt(jsonPath(segments), sentence(message('document.extraProperty', { name: quote(params['additionalProperty']) }), expected));
    case 'minLength':
    case 'maxLength':
      return problemAt(
        jsonPath(segments),
        sentence(message(error.keyword === 'minLength' ? 'document.tooShort' : 'document.tooLong', { limit: Number(params['limit']) }), expected),
      );
    case 'minItems':
    case 'maxItems':
      return problemAt(
        jsonPath(segments),
        sentence(message(error.keyword === 'minItems' ? 'document.tooFewItems' : 'document.tooManyItems', { limit: Number(params['limit']) }), expected),
      );
    case 'uniqueItems':
      return problemAt(jsonPath(segments), sentence(message('document.repeatedItem', { first: Number(params['j']), second: Number(params['i']) }), expected));
    case 'oneOf':
      return problemAt(jsonPath(segments), sentence(message('document.noFormMatches'), expected));
    default:
      // Every keyword the schemas use is handled above; this keeps a new one from being silent
      // (in ajv's own words, English).
      return problemAt(jsonPath(segments), sentence(error.message ?? 'is not valid', expected));
  }
}

const TYPE_NAMES: Record<string, Message> = {
  string: message('type.string'),
  number: message('type.number'),
  integer: message('type.integer'),
  boolean: message('type.boolean'),
  object: message('type.object'),
  array: message('type.array'),
  null: message('type.null'),
};

function sentence(what: MessageParam, expected: MessageParam | undefined): Message {
  return expected === undefined ? message('document.sentence', { what }) : message('document.sentenceExpected', { what, expected });
}

const OFFER_TYPE_IDS = OFFER_TYPES.map((type) => type.id).join(', ');

/**
 * What each schema `description` says, as a catalogue message: the schemas keep their English
 * (ajv reports it), messages render it per language. test/domain/messages.test.ts checks that
 * every description of every offer type's schema is here.
 */
export const EXPECTED_DESCRIPTIONS: ReadonlyMap<string, Message> = new Map([
  ['an Azure subscription id, a GUID such as 59160c40-2e25-4dcf-a2fd-6514cb08bf08', message('expected.subscriptionId')],
  ["a plan id of 1 to 50 lowercase letters, digits, '-' and '_', such as contososkuidentifier", message('expected.planId')],
  ['an image version of three dot-separated numbers (major.minor.patch), such as 1.0.1', message('expected.imageVersion')],
  ['a two-letter upper-case ISO 3166-1 country code, such as US', message('expected.countryCode')],
  [`one of ${OPERATING_SYSTEM_FAMILIES.join(', ')}`, message('expected.oneOf', { values: OPERATING_SYSTEM_FAMILIES.join(', ') })],
  [`one of the offer types ${OFFER_TYPE_IDS}`, message('expected.offerTypes', { values: OFFER_TYPE_IDS })],
  ['an offer document: a JSON object with offerTypeId and definition', message('expected.document')],
  ['an object mapping each schema namespace to its integer schema version', message('expected.schemaVersions')],
  ['an integer schema version, such as 87', message('expected.schemaVersion')],
  ['the offer definition: an object with displayText, offer and plans', message('expected.definition')],
  ['a whole number of months from 0 (no free trial) to 12', message('expected.freeTrialMonths')],
  ['no type while the test drive is disabled', message('expected.noTestDriveType')],
  // the product-ingestion face's references to other resources (src/product-ingestion/schemas.ts)
  [
    'a durable id such as product/<guid>, {"externalId": "…"} or {"resourceName": "…"}',
    message('expected.reference', { forms: 'product/<guid>, {"externalId": "…"}', last: '{"resourceName": "…"}' }),
  ],
  ['a durable id such as product/<guid> or {"resourceName": "…"}', message('expected.reference', { forms: 'product/<guid>', last: '{"resourceName": "…"}' })],
]);

/** The schema's description as a message: a known one, or any "one of a, b, c" (enumerations describe themselves so). */
function expectedText(description: string): MessageParam {
  const known = EXPECTED_DESCRIPTIONS.get(description);
  if (known) return known;
  const oneOf = /^one of ([^:]+)$/.exec(description);
  return oneOf ? message('expected.oneOf', { values: oneOf[1]! }) : description;
}

/**
 * planIds must be unique within the offer (JSON Schema cannot say this). Core VM generation-2
 * variants (`diskGenerations[]`) are plans of their own and share the namespace.
 */
function duplicatePlanIds(body: unknown): Problem[] {
  const definition = isRecord(body) ? body['definition'] : undefined;
  const plans = isRecord(definition) ? definition['plans'] : undefined;
  if (!Array.isArray(plans)) return [];
  const firstSeen = new Map<string, string>();
  const problems: Problem[] = [];
  const check = (plan: unknown, segments: PathSegment[]) => {
    const id = isRecord(plan) ? plan['planId'] : undefined;
    if (typeof id !== 'string') return;
    const path = jsonPath([...segments, 'planId']);
    const first = firstSeen.get(id);
    if (first === undefined) firstSeen.set(id, path);
    else problems.push(problemAt(path, message('document.duplicatePlanId', { id: quote(id), first })));
  };
  plans.forEach((plan, index) => {
    const planPath: PathSegment[] = ['definition', 'plans', index];
    check(plan, planPath);
    const generations = isRecord(plan) ? plan['diskGenerations'] : undefined;
    if (Array.isArray(generations)) generations.forEach((generation, at) => check(generation, [...planPath, 'diskGenerations', at]));
  });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
