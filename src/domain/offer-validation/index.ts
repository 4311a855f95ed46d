/**
 * Offer validation: pure checks of offer documents, no I/O.
 *
 * Three levels, each stricter than the last:
 * - `validateOfferDocument`: a PUT body's structure and types (drafts may be incomplete);
 * - `validateForPublish`: completeness, checked synchronously by POST publish (422 when not);
 * - `certificationFindings`: deeper checks the publishing workflow's certification step runs
 *   (VHD URLs and their SAS, visible images).
 *
 * `validationReport` runs all three on a document, as the dry run of a publish (POST …/validate).
 */
export type { Problem } from './problems.ts';
export { MAX_NESTING_DEPTH } from './depth.ts';
export { validateOfferDocument } from './document.ts';
export { validateForPublish } from './publish.ts';
export {
  certificationFindingMessages,
  certificationFindings,
  certificationProblems,
  lastCertifiedVersion,
  type CertificationOptions,
} from './certification.ts';
export { renderReport, validationReport, VALIDATION_STAGES, type StagedProblem, type ValidationReport, type ValidationStage } from './report.ts';
