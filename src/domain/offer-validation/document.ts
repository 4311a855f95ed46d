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
import { describeType, jsonPath, pointerSegments, quote, type PathSegment, type Problem } from './problems.ts';
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
    return [
      {
        path: jsonPath(tooDeep),
        message: `is nested too deeply: objects and arrays may be nested at most ${MAX_NESTING_DEPTH} levels deep.`,
      },
    ];
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
      if (why) problems.push({ path: pathOf(frame), message: `${why}, which offer documents cannot hold.` });
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) stack.push({ value: value[index], key: index, parent: frame });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        const why = unstorableText(key);
        if (why) problems.push({ path: pathOf(frame, key), message: `the key ${why}, which offer documents cannot hold.` });
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
  const expected = typeof schema['description'] === 'string' ? `expected ${schema['description']}` : undefined;
  const params = error.params as Record<string, unknown>;

  // A bad key of a keyed object (an image version): ajv reports the inner failure with
  // `propertyName` set, then a summary `propertyNames` error that adds nothing.
  if (error.keyword === 'propertyNames') return undefined;
  if (error.propertyName !== undefined) {
    return {
      path: jsonPath([...segments, error.propertyName]),
      message: sentence(`the key ${quote(error.propertyName)} is not valid`, expected),
    };
  }

  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const properties = (schema['properties'] ?? {}) as Record<string, SchemaObject>;
      const description = properties[missing]?.['description'];
      return {
        path: jsonPath([...segments, missing]),
        message: sentence('is required but missing', typeof description === 'string' ? `expected ${description}` : undefined),
      };
    }
    case 'type': {
      const types = ([] as unknown[]).concat(params['type']).map((type) => TYPE_NAMES[String(type)] ?? String(type));
      return {
        path: jsonPath(segments),
        message: sentence(`must be ${types.join(' or ')}, not ${describeType(error.data)}`, expected),
      };
    }
    case 'enum':
    case 'pattern':
      return { path: jsonPath(segments), message: sentence(`${quote(error.data)} is not valid`, expected) };
    case 'minimum':
    case 'maximum':
      return {
        path: jsonPath(segments),
        message: sentence(`${quote(error.data)} is ${error.keyword === 'minimum' ? 'too small' : 'too large'}`, expected),
      };
    default:
      // Every keyword the schemas use is handled above; this keeps a new one from being silent.
      return { path: jsonPath(segments), message: sentence(error.message ?? 'is not valid', expected) };
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
  null: 'null',
};

function sentence(what: string, expected: string | undefined): string {
  return expected === undefined ? `${what}.` : `${what}: ${expected}.`;
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
    else problems.push({ path, message: `${quote(id)} is already the planId at ${first}: every plan in an offer needs its own planId.` });
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
