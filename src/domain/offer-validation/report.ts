/**
 * The dry run of a publish (POST …/offers/{offerId}/validate): what a PUT, POST publish and the
 * certification step of the workflow would find in a document, in one report, each problem with
 * the stage that finds it. It calls the very checks those three call, and changes nothing.
 *
 * - `document`: what PUT refuses (`validateOfferDocument`). A document with such problems cannot
 *   even be stored, so nothing else is checked: the later stages would only report the same fault
 *   again in other words (a `plans` that is not an array is also an offer without plans).
 * - `publish`: what POST publish refuses with 422, and the workflow's validation step blocks on
 *   (`validateForPublish`).
 * - `certification`: what the certification step finds (`certificationProblems`, at the time
 *   given). A publish would stop before it while publish problems remain; the report lists both
 *   at once, to spare the rounds, but leaves out a finding at a path the publish stage already
 *   reported (an image without osVhdUrl is one problem, not two).
 */
import { MAX_LISTED_PROBLEMS } from '../errors.ts';
import { type CertificationOptions, certificationProblems } from './certification.ts';
import { validateOfferDocument } from './document.ts';
import { asRecord } from './formats.ts';
import type { Problem } from './problems.ts';
import { type Language, render } from '../messages/index.ts';
import { validateForPublish } from './publish.ts';

export const VALIDATION_STAGES = ['document', 'publish', 'certification'] as const;
export type ValidationStage = (typeof VALIDATION_STAGES)[number];

export interface StagedProblem extends Problem {
  stage: ValidationStage;
}

export interface ValidationReport {
  /** No problem at any stage: a PUT would store the document, and a publish of it would pass validation and certification. */
  valid: boolean;
  /** How many problems were found; `problems` lists the first MAX_LISTED_PROBLEMS, as error answers do. */
  problemCount: number;
  problems: StagedProblem[];
}

/**
 * The report on a whole offer document (as PUT takes it and GET returns it). `now` is the time
 * certification judges SAS expiry by (the workflow's clock); `options.previouslyCertified`, the
 * offer's last certified definition, as the certification step takes it.
 */
export function validationReport(document: Record<string, unknown>, now: Date, options: CertificationOptions = {}): ValidationReport {
  const stages: Array<[ValidationStage, readonly Problem[]]> = [['document', validateOfferDocument(document)]];
  if (stages[0]![1].length === 0) {
    const offerTypeId = String(document['offerTypeId']);
    const definition = asRecord(document['definition']) ?? {};
    const publish = validateForPublish(offerTypeId, definition);
    const reported = new Set(publish.map((problem) => problem.path));
    const certification = certificationProblems(offerTypeId, definition, now, options).filter((problem) => !reported.has(problem.path));
    stages.push(['publish', publish], ['certification', certification]);
  }
  const problemCount = stages.reduce((sum, [, found]) => sum + found.length, 0);
  // Only the listed ones are copied: a large document can have hundreds of thousands.
  const problems: StagedProblem[] = [];
  for (const [stage, found] of stages) {
    for (const { path, message, text } of found.slice(0, MAX_LISTED_PROBLEMS - problems.length)) {
      problems.push({ path: cut(path, 300), message: cut(message, 500), stage, ...(text ? { text } : {}) });
    }
  }
  return { valid: problemCount === 0, problemCount, problems };
}

/** The report as a reader gets it: each message in `language`, without the catalogue form. */
export function renderReport(report: ValidationReport, language: Language): ValidationReport {
  return {
    ...report,
    problems: report.problems.map(({ text, ...problem }) => ({
      ...problem,
      message: text === undefined || language === 'en' ? problem.message : cut(render(text, language), 500),
    })),
  };
}

/** Paths and messages shortened as error answers shorten them (they may quote the document). */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
