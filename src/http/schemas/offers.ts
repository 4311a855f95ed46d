/** Schemas of the offer documents the API serves. */
import { Type } from 'typebox';
import { OFFER_STATUSES } from '../../domain/offer-status.ts';
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
