/**
 * The wire documents of the product-ingestion face (reference §2, §3): configure-status and
 * configure-detail, the resource tree, query pages, resources. Resources are open: each type has
 * many members (src/product-ingestion/schemas.ts checks them on writes); here only what every
 * resource has. The SDK's product-ingestion types are derived from these.
 */
import { Type } from 'typebox';
import { TARGET_TYPES } from '../../product-ingestion/catalog.ts';
import { oneOf } from './common.ts';

export const IngestionResource = Type.Object(
  {
    $schema: Type.String(),
    id: Type.Optional(Type.String({ description: 'The durable id, e.g. product/<guid>; server-owned.' })),
    resourceName: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const ErrorNode = Type.Object({
  code: Type.String(),
  message: Type.String(),
  resourceId: Type.Optional(Type.String()),
  details: Type.Array(Type.Unknown(), { description: 'Error nodes of the same shape.' }),
});

export const ConfigureStatus = Type.Object({
  $schema: Type.String(),
  jobId: Type.String(),
  jobStatus: oneOf(['notStarted', 'running', 'completed']),
  jobResult: oneOf(['pending', 'succeeded', 'failed', 'cancelled']),
  jobStart: Type.String(),
  jobEnd: Type.String({ description: '0001-01-01T00:00:00 while the job has not ended.' }),
  errors: Type.Array(ErrorNode),
});

export const ConfigureDetail = Type.Object({ $schema: Type.String(), resources: Type.Array(IngestionResource) });

export const ResourceTree = Type.Object({
  $schema: Type.String(),
  root: Type.String(),
  target: Type.Object({ targetType: oneOf(TARGET_TYPES) }),
  resources: Type.Array(IngestionResource),
});

export const ResourcePage = Type.Object({ value: Type.Array(IngestionResource), '@nextLink': Type.Optional(Type.String()) });
