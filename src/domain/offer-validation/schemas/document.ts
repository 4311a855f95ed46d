/**
 * The offer document a PUT carries: the envelope and, per offer type, the definition.
 *
 * Of the envelope only `offerTypeId` and `definition` matter; `publisherId`, `id`, `version`,
 * `status`, `changedTime` and `eTag` are echoes of a previous GET that the server ignores, so
 * they are tolerated with any value (rejecting a field that is ignored anyway would only break
 * round trips). `offerTypeVersions` is typed because it is part of the documented request.
 */
import type { SchemaObject } from 'ajv';
import { OFFER_TYPES } from '../../offer-types.ts';
import { planSchema, string } from './common.ts';
import { coreVmDefinition, CORE_VM } from './corevm.ts';
import { listingOffer } from './marketplace.ts';
import { VIRTUAL_MACHINES, virtualMachinesDefinition } from './virtualmachines.ts';

interface DefinitionParts {
  offer: SchemaObject;
  plan: SchemaObject;
}

/** Offer types with a schema of their own; every other type gets the listing and generic plans. */
const SPECIFIC: Record<string, DefinitionParts> = {
  [VIRTUAL_MACHINES]: virtualMachinesDefinition,
  [CORE_VM]: coreVmDefinition,
};

export const GENERIC: DefinitionParts = { offer: listingOffer, plan: planSchema() };

export function definitionPartsFor(offerTypeId: string): DefinitionParts {
  return SPECIFIC[offerTypeId] ?? GENERIC;
}

const OFFER_TYPE_IDS = OFFER_TYPES.map((type) => type.id);

/** The whole-document schema for one offer type's definition. */
export function documentSchema(parts: DefinitionParts): SchemaObject {
  return {
    type: 'object',
    description: 'an offer document: a JSON object with offerTypeId and definition',
    required: ['offerTypeId', 'definition'],
    properties: {
      offerTypeId: {
        type: 'string',
        enum: OFFER_TYPE_IDS,
        description: `one of the offer types ${OFFER_TYPE_IDS.join(', ')}`,
      },
      offerTypeVersions: {
        type: 'object',
        description: 'an object mapping each schema namespace to its integer schema version',
        additionalProperties: { type: 'integer', description: 'an integer schema version, such as 87' },
      },
      definition: {
        type: 'object',
        description: 'the offer definition: an object with displayText, offer and plans',
        properties: {
          displayText: string,
          offer: parts.offer,
          plans: { type: 'array', items: parts.plan },
        },
      },
    },
  };
}
