/**
 * The SDK's types (src/client/types.ts) are the server's wire schemas (src/http/schemas/) read as
 * types, opened for the other servers a client talks to. The type checker, which `npm test` runs
 * first, holds them to that here: each type accepts every document its schema describes, and,
 * with the openness taken off again, is exactly the schema's type — a field the SDK adds, drops,
 * retypes or makes optional, or an enumeration it narrows or widens, fails the run. The last two
 * tests check that the SDK reads the schemas as types only: loading it loads none of the server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Static } from 'typebox';
import type * as Sdk from '../../src/client/types.ts';
import type { OfferType, Publisher } from '../../src/http/schemas/catalog.ts';
import type { ErrorBody } from '../../src/http/schemas/common.ts';
import type { Offer, OfferSummary, ValidationReport } from '../../src/http/schemas/offers.ts';
import type { OfferStatus, Operation, Submission } from '../../src/http/schemas/workflow.ts';
import type { Member } from '../../src/http/schemas/members.ts';
import type { Application, NewApplication } from '../../src/http/schemas/applications.ts';
import type { ConfigureDetail, ConfigureStatus, ResourceTree } from '../../src/http/schemas/ingestion.ts';

/** Compiles only when every value of type `Wire` is a value of type `Client`. */
type Accepts<Client, Wire extends Client> = Wire extends Client ? true : never;

/** Whether A and B are the same type, not merely assignable to each other. */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/**
 * T without the openness the SDK adds, however deep: the `string & {}` member that keeps a union
 * open, and `[key: string]: unknown` index signatures. It also flattens interfaces and
 * intersections into plain object types, so applied to both sides Equal compares the members.
 */
type Closed<T> = T extends string
  ? Equal<T, string & {}> extends true
    ? never
    : T
  : T extends readonly (infer Element)[]
    ? Closed<Element>[]
    : T extends object
      ? { [K in keyof T as string extends K ? (unknown extends T[K] ? never : K) : K]: Closed<T[K]> }
      : T;

/** Compiles only when Client accepts every Wire value; true when Client is Wire with openness added and nothing else. */
type OpenedFrom<Client, Wire extends Client> = Equal<Closed<Client>, Closed<Wire>>;

type WireOffer = Static<typeof Offer>;
type WireOperation = Static<typeof Operation>;
type WireSubmission = Static<typeof Submission>;

const derived: Array<true> = [
  true satisfies OpenedFrom<Sdk.OfferSummary, Static<typeof OfferSummary>>,
  true satisfies OpenedFrom<Sdk.Offer, WireOffer>,
  true satisfies OpenedFrom<Sdk.OfferDefinition, WireOffer['definition']>,
  true satisfies OpenedFrom<Sdk.Plan, NonNullable<WireOffer['definition']['plans']>[number]>,
  true satisfies OpenedFrom<Sdk.Operation, WireOperation>,
  true satisfies OpenedFrom<Sdk.Step, WireOperation['steps'][number]>,
  true satisfies OpenedFrom<Sdk.StepMessage, WireOperation['messages'][number]>,
  true satisfies OpenedFrom<Sdk.Submission, WireSubmission>,
  true satisfies OpenedFrom<Sdk.OfferStatus, Static<typeof OfferStatus>>,
  true satisfies OpenedFrom<Sdk.OfferStatusValue, WireOffer['status']>,
  true satisfies OpenedFrom<Sdk.OperationStatus, WireOperation['status'] | WireSubmission['status']>,
  true satisfies OpenedFrom<Sdk.StepStatus, WireOperation['steps'][number]['status']>,
  true satisfies OpenedFrom<Sdk.SubmissionType, WireOperation['submissionType']>,
  // Taken as the server serves them, with nothing opened.
  true satisfies Equal<Closed<Sdk.Publisher>, Static<typeof Publisher>>,
  true satisfies Equal<Closed<Sdk.OfferType>, Static<typeof OfferType>>,
  true satisfies Equal<Closed<Sdk.Member>, Static<typeof Member>>,
  true satisfies Equal<Sdk.Role, Static<typeof Member>['role']>,
  true satisfies Equal<Closed<Sdk.Application>, Static<typeof Application>>,
  true satisfies Equal<Closed<Sdk.NewApplication>, Static<typeof NewApplication>>,
  true satisfies Equal<Sdk.Role, Static<typeof Application>['role']>,
  true satisfies Equal<Closed<Sdk.Problem>, NonNullable<Static<typeof ErrorBody>['error']['problems']>[number]>,
];

/** The openness itself: what other servers send, which cloudpartner's schemas do not list. */
const open: Array<true> = [
  true satisfies Accepts<Sdk.OfferStatusValue, 'Succeeded'>,
  true satisfies Accepts<Sdk.Operation['status'], 'completed'>,
  true satisfies Accepts<Sdk.Step['status'], 'Complete'>,
  true satisfies Accepts<Sdk.Submission['slot'], 'preview'>,
  // Any other member (namespaced definition keys, fields other servers add): an index signature.
  true satisfies Equal<Sdk.Offer[string], unknown>,
  true satisfies Equal<Sdk.OfferDefinition[string], unknown>,
  true satisfies Equal<Sdk.Plan[string], unknown>,
  true satisfies Equal<Sdk.OfferDocument[string], unknown>,
  // PUT takes the whole document as GET returned it.
  true satisfies Accepts<Sdk.OfferDocument, WireOffer>,
  true satisfies Accepts<Sdk.OfferDocument, Sdk.Offer>,
];

type WireValidationReport = Static<typeof ValidationReport>;
type WireValidationProblem = WireValidationReport['problems'][number];

/** The report of POST …/validate: its schema's type, with the stage opened (a newer server may add stages). */
const validation: Array<true> = [
  true satisfies OpenedFrom<Sdk.ValidationReport, WireValidationReport>,
  true satisfies OpenedFrom<Sdk.ValidationProblem, WireValidationProblem>,
  true satisfies OpenedFrom<Sdk.ValidationStage, WireValidationProblem['stage']>,
  true satisfies Equal<Closed<Sdk.ValidationStage>, 'document' | 'publish' | 'certification'>,
  true satisfies Accepts<Sdk.ValidationStage, 'lint'>,
];

/** The product-ingestion face's documents: their schemas' types, statuses opened, resources open to every member. */
const ingestion: Array<true> = [
  true satisfies OpenedFrom<Sdk.ConfigureStatus, Static<typeof ConfigureStatus>>,
  true satisfies OpenedFrom<Sdk.ResourceTree, Static<typeof ResourceTree>>,
  true satisfies OpenedFrom<Sdk.ConfigureDetail, Static<typeof ConfigureDetail>>,
  true satisfies Equal<Sdk.IngestionResource[string], unknown>,
  true satisfies Accepts<Sdk.ConfigureStatus['jobResult'], 'canceled'>,
];

const root = resolve(new URL('../..', import.meta.url).pathname);
const clientDir = join(root, 'src/client');
const httpDir = join(root, 'src/http');

describe("the SDK's types", () => {
  it('are the wire schemas, opened for other servers (checked by the type checker before the suites run)', () => {
    assert.equal(derived.length, 21);
    assert.equal(open.length, 10);
    assert.equal(validation.length, 5);
    assert.equal(ingestion.length, 5);
  });

  it('import the http layer as types only', () => {
    // Read from the source: tsx drops an import whose names are used only as types, so the next
    // test would not see one; a runtime that only strips types (Node's own) would load it.
    const statement = /^(?:import|export)\s([^;]*?)\sfrom\s'([^']+)';/gms;
    const valueImports = readdirSync(clientDir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => {
        const source = readFileSync(join(clientDir, name), 'utf8');
        return [...source.matchAll(statement)]
          .filter(([, clause, specifier]) => specifier!.startsWith('.') && resolve(clientDir, specifier!).startsWith(httpDir + '/') && !/^type\s/.test(clause!))
          .map(([text]) => `${name}: ${text}`);
      });
    assert.deepEqual(valueImports, []);
  });

  it('load none of the server: no module of src/http, no Fastify', () => {
    // Records every module the child resolves, from the loader's own thread.
    const hooks = `data:text/javascript,${encodeURIComponent(`
      import { writeSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        writeSync(1, resolved.url + '\\n');
        return resolved;
      }`)}`;
    const entries = ['index.ts', 'types.ts'].map((name) => pathToFileURL(join(clientDir, name)).href);
    const program = `import { register } from 'node:module';
      register(${JSON.stringify(hooks)});
      for (const entry of ${JSON.stringify(entries)}) await import(entry);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: root, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const loaded = child.stdout
      .split('\n')
      .filter((url) => url.startsWith('file:'))
      .map((url) => relative(root, new URL(url).pathname));
    assert.ok(loaded.includes('src/client/client.ts'), `the hook saw the SDK load: ${loaded.join(', ')}`);
    assert.deepEqual(
      loaded.filter((path) => path.startsWith('src/http/') || path.includes('node_modules/fastify')),
      [],
    );
  });
});
