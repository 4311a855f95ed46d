/**
 * The SDK's types (src/client/types.ts) accept every document the server's wire schemas
 * (src/http/schemas/) describe. The SDK keeps its own, open unions — it also talks to other
 * endpoints of this API — so the check is one of assignability, made by the type checker that
 * `npm test` runs first: a wire field the SDK lacks, or types differently, fails the run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Static } from 'typebox';
import type * as Sdk from '../../src/client/types.ts';
import type { OfferType, Publisher } from '../../src/http/schemas/catalog.ts';
import type { Offer, OfferSummary } from '../../src/http/schemas/offers.ts';
import type { OfferStatus, Operation, Submission } from '../../src/http/schemas/workflow.ts';

/** Compiles only when every value of type `Wire` is a value of type `Client`. */
type Accepts<Client, Wire extends Client> = Wire extends Client ? true : never;

const checks: Array<true> = [
  true satisfies Accepts<Sdk.OfferSummary, Static<typeof OfferSummary>>,
  true satisfies Accepts<Sdk.Offer, Static<typeof Offer>>,
  true satisfies Accepts<Sdk.Operation, Static<typeof Operation>>,
  true satisfies Accepts<Sdk.Submission, Static<typeof Submission>>,
  true satisfies Accepts<Sdk.OfferStatus, Static<typeof OfferStatus>>,
  true satisfies Accepts<Sdk.Publisher, Static<typeof Publisher>>,
  true satisfies Accepts<Sdk.OfferType, Static<typeof OfferType>>,
];

describe("the SDK's types", () => {
  it('accept every wire document the server declares (checked by the type checker before the suites run)', () => {
    assert.equal(checks.length, 7);
  });
});
