/**
 * The three slots of an offer. A slot is a pointer to one numbered version:
 * Draft → the offer's current (editable) version, Preview → the version last published to
 * preview, Production → the version that is live. Slot names in URLs match case-insensitively.
 * How a URL or a command line names a slot or a version is read here, for both.
 */
import { errors } from './errors.ts';

export const SLOTS = ['Draft', 'Preview', 'Production'] as const;
export type Slot = (typeof SLOTS)[number];

const BY_LOWERCASE = new Map<string, Slot>(SLOTS.map((slot) => [slot.toLowerCase(), slot]));

/** The slot a name means, in any case; undefined when it names none. */
export function slotNamed(raw: string): Slot | undefined {
  return BY_LOWERCASE.get(raw.toLowerCase());
}

export function parseSlot(raw: string): Slot {
  const slot = slotNamed(raw);
  if (!slot) throw errors.invalidSlot(raw);
  return slot;
}

/** Versions are 32-bit integers on the wire, from 1. */
export const MAX_VERSION = 2_147_483_647;

/** The version number `raw` gives in decimal digits, or undefined when it gives none (0, too large, a sign, a fraction). */
export function versionNumber(raw: string): number | undefined {
  const version = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : NaN;
  return version >= 1 && version <= MAX_VERSION ? version : undefined;
}

export function parseVersion(raw: string): number {
  const version = versionNumber(raw);
  if (version === undefined) throw errors.invalidVersion(raw);
  return version;
}

/** The version a slot points at, or null when the slot is empty. */
export function slotVersion(offer: { version: number; previewVersion: number | null; productionVersion: number | null }, slot: Slot): number | null {
  switch (slot) {
    case 'Draft':
      return offer.version;
    case 'Preview':
      return offer.previewVersion;
    case 'Production':
      return offer.productionVersion;
  }
}
