/**
 * What each workflow step does when it falls due. Certification runs real checks on the frozen
 * version and reports findings a publisher can act on.
 */
import { certificationFindings, lastCertifiedVersion, validateForPublish } from '../domain/offer-validation/index.ts';
import type { StepMessage } from '../domain/operations.ts';
import { formatTicks } from '../domain/time.ts';
import type { CatalogStore, ClaimedStep, StepOutcome } from '../store/store.ts';
import type { StepDurations } from './durations.ts';

/**
 * A step that found problems: it is `blocked` with each finding as an error message, and the
 * operation fails — the offer `failed`, its slots untouched. A sandbox `fail` rule ends a step
 * the same way, so automation cannot tell the two apart.
 */
export function failedStep(findings: readonly string[], nowMs: number, nextStepMs: number): StepOutcome {
  const timestamp = formatTicks(BigInt(nowMs) * 10_000n);
  return {
    status: 'blocked',
    messages: findings.map((messageHtml) => ({ messageHtml, level: 'error', timestamp })),
    ends: { operationStatus: 'failed', error: findings.join(' ') },
    nextStepMs,
  };
}

export async function runStep(store: CatalogStore, claim: ClaimedStep, nowMs: number, durations: StepDurations): Promise<StepOutcome> {
  const { operation } = claim;
  const timestamp = formatTicks(BigInt(nowMs) * 10_000n);
  const info = (messageHtml: string): StepMessage[] => [{ messageHtml, level: 'information', timestamp }];
  const next = operation.steps.find((step) => step.position === claim.position + 1);
  const nextStepMs = next ? durations(next.stepId) : 0;
  const blocked = (findings: string[]) => failedStep(findings, nowMs, nextStepMs);

  const definitionOf = async (version: number) => {
    const document = await store.getOfferVersion(operation.publisherId, operation.offerId, version);
    if (!document) throw new Error(`version ${version} of ${operation.offerId} is missing`);
    return JSON.parse(document.definitionJson) as Record<string, unknown>;
  };
  const definition = () => definitionOf(operation.publishingVersion);
  /** The last certified definition (Preview, else Production): its images were copied already. */
  const previouslyCertified = async () => {
    const version = lastCertifiedVersion(await store.getOffer(operation.publisherId, operation.offerId));
    return version ? definitionOf(version) : undefined;
  };

  switch (claim.stepId) {
    case 'displaydummycertify': {
      const problems = validateForPublish(operation.offerTypeId, await definition());
      if (problems.length > 0) return blocked(problems.map((problem) => `${problem.path}: ${problem.message}`));
      return { status: 'complete', messages: info('The offer settings are valid.'), nextStepMs };
    }
    case 'displaycertify': {
      const previous = await previouslyCertified();
      const findings = certificationFindings(operation.offerTypeId, await definition(), new Date(nowMs), previous ? { previouslyCertified: previous } : {});
      if (findings.length > 0) return blocked(findings);
      return { status: 'complete', messages: info('Certification passed.'), nextStepMs };
    }
    case 'displayprovision':
      return { status: 'complete', messages: info('The images were replicated to the production systems.'), nextStepMs };
    case 'displaypackage':
      return { status: 'complete', messages: info('The offer was packaged and its lead destination registered.'), nextStepMs };
    case 'publisher-signoff':
      return {
        status: 'waitingForPublisherReview',
        messages: info(`Version ${operation.publishingVersion} is available in preview. Check it, then go live.`),
        ends: { operationStatus: 'completed', previewVersion: operation.publishingVersion },
        nextStepMs,
      };
    case 'live':
      return {
        status: 'complete',
        messages: info(`Version ${operation.publishingVersion} is live.`),
        ends: { operationStatus: 'completed', productionVersion: operation.publishingVersion },
        nextStepMs,
      };
    case 'rollback':
      return {
        status: 'complete',
        messages: info('The go-live was withdrawn; Production keeps its previous version.'),
        ends: { operationStatus: 'completed' },
        nextStepMs,
      };
    default:
      throw new Error(`no implementation for step ${claim.stepId}`);
  }
}
