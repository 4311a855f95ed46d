/**
 * The business rules the service enforces on technical configurations as job errors (reference
 * §3, D93), written once: every configure job checks the plans it wrote against them after
 * applying its resources, and fails — changing nothing — on any breach. Pure: it sees the
 * technical configurations as a read shows them, and which versions are published.
 */
import { type Message, message, render } from '../domain/messages/index.ts';
import type { Json, Published } from './mapping.ts';

/** What the rules see of one plan's technical configuration. */
export interface TechConfigFacts {
  planId: string;
  skus: Array<{ imageType: string; skuId: string }>;
  versions: Array<{ versionNumber: string; lifecycleState: string; imageTypes: string[] }>;
}

export interface RuleBreach {
  /** The plan whose technical configuration breaks the rule. */
  planId: string;
  code: 'businessValidationError' | 'collectionLimitExceeded';
  /** In English; `text` is its catalogue form, which the job stores (D99). */
  message: string;
  text: Message;
  /** JSON path in the technical configuration resource. */
  path: string;
}

/** At most this many plans per offer [doc: azure-vm-create-plans]. */
export const MAX_PLANS = 100;

/** The facts of a technical configuration resource (as `deriveResources` reads it). */
export function factsOf(planId: string, techConfig: Json): TechConfigFacts {
  const skus = Array.isArray(techConfig['skus']) ? (techConfig['skus'] as Json[]) : [];
  const versions = Array.isArray(techConfig['vmImageVersions']) ? (techConfig['vmImageVersions'] as Json[]) : [];
  return {
    planId,
    skus: skus.map((sku) => ({ imageType: String(sku['imageType']), skuId: String(sku['skuId']) })),
    versions: versions.map((version) => ({
      versionNumber: String(version['versionNumber']),
      lifecycleState: String(version['lifecycleState'] ?? 'generallyAvailable'),
      imageTypes: (Array.isArray(version['vmImages']) ? (version['vmImages'] as Json[]) : []).map((image) => String(image?.['imageType'])),
    })),
  };
}

/**
 * The breaches of the plans in `written` (the plans whose technical configuration the job wrote):
 * a `skuId` another plan of the offer uses; more than one image version added since the last
 * submission; a SKU generation with no active (generallyAvailable) image.
 */
export function technicalConfigurationBreaches(configs: readonly TechConfigFacts[], published: Published, written: ReadonlySet<string>): RuleBreach[] {
  const breaches: RuleBreach[] = [];
  for (const config of configs) {
    if (!written.has(config.planId)) continue;
    config.skus.forEach((sku, index) => {
      const other = configs.find((candidate) => candidate.planId !== config.planId && candidate.skus.some((theirs) => theirs.skuId === sku.skuId));
      if (other) {
        breaches.push(breach(config.planId, message('rules.skuIdTaken', { skuId: sku.skuId, planId: other.planId }), `$.skus[${index}].skuId`));
      }
    });
    const added = config.versions.filter((version) => !published.images.has(`${config.planId}/${version.versionNumber}`));
    if (added.length > 1) {
      const versions = added.map((version) => version.versionNumber).join(', ');
      breaches.push(breach(config.planId, message('rules.oneNewImageVersion', { versions }), '$.vmImageVersions'));
    }
    if (config.versions.length === 0) continue;
    for (const imageType of new Set(config.skus.map((sku) => sku.imageType))) {
      const active = config.versions.some((version) => version.lifecycleState === 'generallyAvailable' && version.imageTypes.includes(imageType));
      if (!active) {
        breaches.push(breach(config.planId, message('rules.noActiveImage', { imageType }), '$.vmImageVersions'));
      }
    }
  }
  return breaches;
}

function breach(planId: string, text: Message, path: string): RuleBreach {
  return { planId, code: 'businessValidationError', message: render(text), text, path };
}
