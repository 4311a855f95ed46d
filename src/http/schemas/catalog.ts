/** Schemas of the publisher and offer-type catalogues. */
import { Type } from 'typebox';

export const Publisher = Type.Object(
  {
    id: Type.String(),
    version: Type.Integer(),
    definition: Type.Object({
      displayText: Type.String(),
      offerTypeCategories: Type.Array(Type.String()),
      sellerId: Type.Integer(),
    }),
  },
  { $id: 'Publisher' },
);

export const OfferType = Type.Object(
  {
    id: Type.String(),
    displayText: Type.String(),
    offerTypeVersions: Type.Record(Type.String(), Type.Integer(), { description: 'Schema namespace → schema version.' }),
  },
  { $id: 'OfferType' },
);
