/**
 * The three slots of an offer. A slot is a pointer to one numbered version:
 * Draft → the offer's current (editable) version, Preview → the version last published to
 * preview, Production → the version that is live. Slot names in URLs match case-insensitively.
 */
import { errors } from './errors.ts';

export const SLOTS = ['Draft', 'Preview', 'Production'] as const;
export type Slot = (typeof SLOTS)[number];

const BY_LOWERCASE = new Map<string, Slot>(SLOTS.map((slot) => [slot.toLowerCase(), slot]));

export function parseSlot(raw: string): Slot {
  const slot = BY_LOWERCASE.get(raw.toLowerCase());
  if (!slot) throw errors.invalidSlot(raw);
  return slot;
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
