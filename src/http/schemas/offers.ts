/** Schemas of the offer documents the API serves. */
import { Type } from 'typebox';
import { OFFER_STATUSES } from '../../domain/offer-status.ts';
import { VALIDATION_STAGES } from '../../domain/offer-validation/report.ts';
import { oneOf } from './common.ts';

const status = oneOf(OFFER_STATUSES, 'Offer status (camelCase on the wire; compare case-insensitively).');
const timestamp = Type.String({ description: 'UTC, seven fractional digits, e.g. 2017-06-07T06:15:39.7349221Z' });

export const OfferSummary = Type.Object(
  {
    offerTypeId: Type.String(),
    publisherId: Type.String(),
    status,
    id: Type.String(),
    version: Type.Integer({ description: 'Current version: counts publishes, read-only.' }),
    definition: Type.Object({ displayText: Type.String() }),
    changedTime: timestamp,
  },
  { $id: 'OfferSummary' },
);

export const Offer = Type.Object(
  {
    offerTypeId: Type.String(),
    publisherId: Type.String(),
    status,
    id: Type.String(),
    version: Type.Integer({ description: 'The version of this document.' }),
    definition: Type.Object(
      {
        displayText: Type.Optional(Type.String()),
        offer: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        plans: Type.Optional(Type.Array(Type.Object({ planId: Type.String() }, { additionalProperties: true }))),
      },
      { additionalProperties: true, description: 'The offer definition. Secret-type field values are never returned.' },
    ),
    changedTime: timestamp,
  },
  { $id: 'Offer' },
);

export const OfferList = Type.Array(Type.Ref('OfferSummary'));

/** The answer of POST …/offers/{offerId}/validate: what a PUT and a publish would find, nothing changed. */
export const ValidationReport = Type.Object(
  {
    valid: Type.Boolean({ description: 'true: a PUT would store the document, and a publish of it would pass validation and certification.' }),
    problemCount: Type.Integer({ description: 'How many problems were found; `problems` lists the first 100.' }),
    problems: Type.Array(
      Type.Object({
        path: Type.String({ description: 'JSON path, e.g. $.definition.plans[0].planId' }),
        message: Type.String(),
        stage: oneOf(
          VALIDATION_STAGES,
          'Which check finds it. document: a PUT would refuse the document (400); publish: POST publish would (422); certification: the certification step of the workflow would fail the publish.',
        ),
      }),
    ),
    etag: Type.Optional(Type.String({ description: "The draft's ETag, when no body was sent and the draft was validated." })),
  },
  { $id: 'ValidationReport' },
);

/** GET …/offers/{offerId}/secrets: which secret-type fields of the draft hold a value — never the values. */
export const SecretFields = Type.Object({
  value: Type.Array(
    Type.Object({
      pointer: Type.String({ description: 'JSON pointer into `definition`.' }),
      path: Type.String({ description: 'The same field as a JSON path, like the paths of problems.' }),
      set: Type.Boolean({ description: 'Whether the draft holds a value there.' }),
    }),
  ),
});
