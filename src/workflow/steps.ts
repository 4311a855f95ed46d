/**
 * What each workflow step does when it falls due. Certification runs real checks on the frozen
 * version and reports findings a publisher can act on.
 */
import { certificationFindingMessages, lastCertifiedVersion, validateForPublish } from '../domain/offer-validation/index.ts';
import { type Message, message, render } from '../domain/messages/index.ts';
import type { StepMessage } from '../domain/operations.ts';
import { formatTicks } from '../domain/time.ts';
import type { CatalogStore, ClaimedStep, StepOutcome } from '../store/store.ts';
import type { StepDurations } from './durations.ts';

/**
 * A step that found problems: it is `blocked` with each finding as an error message, and the
 * operation fails — the offer `failed`, its slots untouched. A sandbox `fail` rule ends a step
 * the same way, so automation cannot tell the two apart.
 */
export function failedStep(findings: ReadonlyArray<Message | string>, nowMs: number, nextStepMs: number): StepOutcome {
  const timestamp = formatTicks(BigInt(nowMs) * 10_000n);
  const messages: StepMessage[] = findings.map((finding) =>
    typeof finding === 'string'
      ? { messageHtml: finding, level: 'error', timestamp }
      : { messageHtml: render(finding), level: 'error', timestamp, text: finding },
  );
  return {
    status: 'blocked',
    messages,
    ends: { operationStatus: 'failed', error: messages.map((shown) => shown.messageHtml).join(' ') },
    nextStepMs,
  };
}

export async function runStep(store: CatalogStore, claim: ClaimedStep, nowMs: number, durations: StepDurations): Promise<StepOutcome> {
  const { operation } = claim;
  const timestamp = formatTicks(BigInt(nowMs) * 10_000n);
  const info = (text: Message): StepMessage[] => [{ messageHtml: render(text), level: 'information', timestamp, text }];
  const next = operation.steps.find((step) => step.position === claim.position + 1);
  const nextStepMs = next ? durations(next.stepId) : 0;
  const blocked = (findings: Message[]) => failedStep(findings, nowMs, nextStepMs);

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
      if (problems.length > 0)
        return blocked(problems.map((problem) => message('problem.line', { path: problem.path, message: problem.text ?? problem.message })));
      return { status: 'complete', messages: info(message('step.settingsValid')), nextStepMs };
    }
    case 'displaycertify': {
      const previous = await previouslyCertified();
      const findings = certificationFindingMessages(
        operation.offerTypeId,
        await definition(),
        new Date(nowMs),
        previous ? { previouslyCertified: previous } : {},
      );
      if (findings.length > 0) return blocked(findings);
      return { status: 'complete', messages: info(message('step.certificationPassed')), nextStepMs };
    }
    case 'displayprovision':
      return { status: 'complete', messages: info(message('step.imagesReplicated')), nextStepMs };
    case 'displaypackage':
      return { status: 'complete', messages: info(message('step.packaged')), nextStepMs };
    case 'publisher-signoff':
      return {
        status: 'waitingForPublisherReview',
        messages: info(message('step.inPreview', { version: operation.publishingVersion })),
        ends: { operationStatus: 'completed', previewVersion: operation.publishingVersion },
        nextStepMs,
      };
    case 'live':
      return {
        status: 'complete',
        messages: info(message('step.live', { version: operation.publishingVersion })),
        ends: { operationStatus: 'completed', productionVersion: operation.publishingVersion },
        nextStepMs,
      };
    case 'rollback':
      return {
        status: 'complete',
        messages: info(message('step.goLiveWithdrawn')),
        ends: { operationStatus: 'completed' },
        nextStepMs,
      };
    default:
      throw new Error(`no implementation for step ${claim.stepId}`);
  }
}
