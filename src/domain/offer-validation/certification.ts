/**
 * Certification: the deeper checks the publishing workflow's certification step runs, after
 * publish was accepted. Each finding is a sentence telling the publisher what to fix.
 *
 * For virtual machine offers this is mostly about the operating system VHDs: certification
 * copies each image from the publisher's storage, so its `osVhdUrl` must be a shared access
 * signature (SAS) URL of a .vhd blob in Azure Blob Storage that is valid now and lets the
 * service read and list it. `now` is a parameter so that the outcome is reproducible.
 */
import { CORE_VM } from './schemas/corevm.ts';
import { VIRTUAL_MACHINES } from './schemas/virtualmachines.ts';
import { asRecord, parseUrl, planName, text, type JsonRecord } from './formats.ts';
import { jsonPath, problemAt, type PathSegment, type Problem } from './problems.ts';
import { type Message, type MessageParam, message } from '../messages/index.ts';

/** Where each VM-like offer type keeps a plan's images. */
const IMAGES_KEY: Record<string, string> = {
  [VIRTUAL_MACHINES]: `${VIRTUAL_MACHINES}.vmImages`,
  [CORE_VM]: `${CORE_VM}.vmImagesPublicAzure`,
};

export interface CertificationOptions {
  /**
   * The definition as last certified (e.g. the version in the Preview or Production slot).
   * Images it already holds with the same osVhdUrl were copied when they were certified, so
   * their SAS is not checked again: without this, every republish would fail once the SAS
   * of an old image expired, although the service no longer needs it.
   */
  previouslyCertified?: Record<string, unknown>;
}

/**
 * The version whose images were certified last: the one in Preview, else the one in Production
 * (see CertificationOptions.previouslyCertified); null when nothing was published yet.
 */
export function lastCertifiedVersion(offer: { previewVersion: number | null; productionVersion: number | null } | null | undefined): number | null {
  return offer?.previewVersion ?? offer?.productionVersion ?? null;
}

/** Certification findings; an empty list means the offer certifies. */
export function certificationFindings(offerTypeId: string, definition: Record<string, unknown>, now: Date, options: CertificationOptions = {}): string[] {
  return certificationProblems(offerTypeId, definition, now, options).map((problem) => problem.message);
}

/** The same findings as catalogue messages, as the certification step keeps them (rendered per reader, D99). */
export function certificationFindingMessages(
  offerTypeId: string,
  definition: Record<string, unknown>,
  now: Date,
  options: CertificationOptions = {},
): Message[] {
  return certificationProblems(offerTypeId, definition, now, options).map((problem) => problem.text!);
}

/** The same findings, each with the JSON path of what it is about (the dry run of POST …/validate reports them so). */
export function certificationProblems(offerTypeId: string, definition: Record<string, unknown>, now: Date, options: CertificationOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const add = (at: PathSegment[], findings: Message[]) => {
    for (const finding of findings) problems.push(problemAt(jsonPath(['definition', ...at]), finding));
  };
  const plans = Array.isArray(definition['plans']) ? definition['plans'] : [];
  if (plans.length === 0) {
    add(['plans'], [message('certify.noPlans')]);
    return problems;
  }
  const imagesKey = IMAGES_KEY[offerTypeId];
  if (imagesKey === undefined) return problems;

  const certified = certifiedImages(options.previouslyCertified, imagesKey);
  plans.forEach((value, index) => {
    const plan = asRecord(value);
    const name = planName(plan, index);
    const images = imagesOf(plan, imagesKey);
    // showInGui: false hides (deprecates) an image; a plan needs at least one it can offer.
    if (!images.some(([, image]) => image?.['showInGui'] !== false)) {
      add(['plans', index, imagesKey], [message('certify.noImage', { plan: name, key: imagesKey })]);
    }
    const variants: [JsonRecord | undefined, MessageParam, PathSegment[]][] = [[plan, name, ['plans', index]]];
    const generations = plan?.['diskGenerations'];
    if (Array.isArray(generations)) {
      generations.forEach((generation, at) => {
        const record = asRecord(generation);
        variants.push([record, message('plan.generation', { generation: planName(record, at), plan: name }), ['plans', index, 'diskGenerations', at]]);
      });
    }
    for (const [variant, variantName, variantAt] of variants) {
      for (const [version, image] of imagesOf(variant, imagesKey)) {
        const url = image?.['osVhdUrl'];
        const planId = variant?.['planId'];
        if (typeof url === 'string' && certified.has(imageKey(planId, version, url))) continue;
        add([...variantAt, imagesKey, version, 'osVhdUrl'], checkVhdUrl(url, message('certify.image', { version, plan: variantName }), now));
      }
    }
  });
  return problems;
}

// The CPP guidance: a SAS valid for at least three weeks, so it outlasts certification.
const NEW_SAS = message('certify.newSas');

/** The findings for one image's osVhdUrl; `image` names it ("the image 1.0.1 of the plan x"). */
function checkVhdUrl(value: unknown, image: Message, now: Date): Message[] {
  const raw = text(value);
  if (raw === undefined) return [message('certify.vhdMissing', { image, fix: NEW_SAS })];
  const url = parseUrl(raw);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return [message('certify.vhdNotUrl', { image, fix: NEW_SAS })];
  }
  const findings: Message[] = [];
  if (!url.hostname.toLowerCase().endsWith('.blob.core.windows.net')) {
    findings.push(message('certify.vhdNotBlob', { image, host: url.hostname }));
  }
  if (!url.pathname.toLowerCase().endsWith('.vhd')) {
    findings.push(message('certify.vhdNotVhd', { image }));
  }
  const query = url.searchParams;
  if (!query.get('sig')) {
    findings.push(message('certify.vhdNoSignature', { image, fix: NEW_SAS }));
    return findings; // without a signature the other SAS parameters mean nothing
  }
  // A SAS tied to a stored access policy (si) takes its expiry and permissions from the policy.
  const policy = query.get('si');
  const expiry = query.get('se');
  if (expiry === null) {
    if (!policy) findings.push(message('certify.sasNoExpiry', { image, fix: NEW_SAS }));
  } else {
    const expires = Date.parse(expiry);
    if (Number.isNaN(expires)) findings.push(message('certify.sasExpiryNotDate', { image, expiry, fix: NEW_SAS }));
    else if (expires <= now.getTime()) findings.push(message('certify.sasExpired', { image, expiry, fix: NEW_SAS }));
  }
  const start = query.get('st');
  if (start !== null && Date.parse(start) > now.getTime()) {
    findings.push(message('certify.sasNotYetValid', { image, start }));
  }
  const permissions = query.get('sp');
  if (permissions === null ? !policy : !(permissions.includes('r') && permissions.includes('l'))) {
    findings.push(
      permissions === null
        ? message('certify.sasNoPermissions', { image, fix: NEW_SAS })
        : message('certify.sasPermissions', { image, permissions, fix: NEW_SAS }),
    );
  }
  return findings;
}

function imagesOf(plan: JsonRecord | undefined, key: string): [string, JsonRecord | undefined][] {
  const images = asRecord(plan?.[key]);
  return images === undefined ? [] : Object.entries(images).map(([version, image]) => [version, asRecord(image)]);
}

function imageKey(planId: unknown, version: string, url: string): string {
  return JSON.stringify([planId, version, url]);
}

/** plan id, image version and osVhdUrl of every image in a previously certified definition. */
function certifiedImages(definition: Record<string, unknown> | undefined, imagesKey: string): Set<string> {
  const keys = new Set<string>();
  const plans = Array.isArray(definition?.['plans']) ? (definition['plans'] as unknown[]) : [];
  for (const value of plans) {
    const plan = asRecord(value);
    const generations = plan?.['diskGenerations'];
    const variants = [plan, ...(Array.isArray(generations) ? generations.map(asRecord) : [])];
    for (const variant of variants) {
      for (const [version, image] of imagesOf(variant, imagesKey)) {
        const url = image?.['osVhdUrl'];
        if (typeof url === 'string') keys.add(imageKey(variant?.['planId'], version, url));
      }
    }
  }
  return keys;
}
