/** Schemas shared by every route: the error body and the api-version query. */
import { Type, type Static } from 'typebox';
import { CURRENT_API_VERSION } from '../../domain/api-version.ts';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. InvalidAPIVersion, OfferNotFound.' }),
      message: Type.String({ description: 'What went wrong and how to fix it.' }),
      problems: Type.Optional(
        Type.Array(Type.Object({ path: Type.String({ description: 'JSON path, e.g. $.definition.plans[0].planId' }), message: Type.String() }), {
          description: 'Every problem found in a document (400 InvalidDocument, 422 OfferValidationFailed).',
        }),
      ),
    }),
  },
  { $id: 'ErrorBody', description: 'Every error response has this shape.' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** One of the values of a domain enumeration, typed as that enumeration (so Static<> and the SDK's types agree). */
export function oneOf<T extends string>(values: readonly T[], description?: string) {
  return Type.Unsafe<T>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      description ? { description } : {},
    ),
  );
}

const errorRef = Type.Ref('ErrorBody');

/** The error responses every authenticated API route can give (a route adds its own: 409, 412, 413, 415, 422). */
export const apiErrorResponses = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  429: errorRef,
  500: errorRef,
  503: errorRef,
} as const;

/** The error responses of a route that takes a body: too large, or not JSON. */
export const bodyErrorResponses = {
  413: errorRef,
  415: errorRef,
} as const;

export const ApiVersionQuery = Type.Object({
  'api-version': Type.String({ description: `Required. Supported: ${CURRENT_API_VERSION}.`, examples: [CURRENT_API_VERSION] }),
});

export const PublisherParams = Type.Object({
  publisherId: Type.String({ description: "Publisher namespace, e.g. contoso. Letters, digits, '-' and '_', at most 50; case-insensitive." }),
});

export const OfferParams = Type.Object({
  publisherId: PublisherParams.properties.publisherId,
  offerId: Type.String({ description: "Offer id, e.g. contosovirtualmachine. Letters, digits, '-' and '_', at most 50; case-insensitive." }),
});

/** Optional body of publish, golive and cancel. */
export const NotificationBody = Type.Optional(Type.Unknown({ description: 'Empty, or {"metadata":{"notification-emails":"a@contoso.com,b@contoso.com"}}.' }));
