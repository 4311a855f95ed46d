/**
 * A fault rule as a client sends it (`POST /_cloudpartner/faults`), read into a rule or refused
 * with every problem and its JSON path — the same shape as an offer document's problems.
 */
import { ApiError, errors, INJECTED_STATUSES, type InjectedStatus } from '../domain/errors.ts';
import { parseId } from '../domain/ids.ts';
import { ALL_STEP_IDS, OPERATION_TYPES, type OperationType, stepsOf } from '../domain/workflow.ts';
import type { HttpFaultEffect, HttpFaultMatch, NewFaultRule, StepFaultEffect, StepFaultMatch } from './faults.ts';
import { type Message, message } from '../domain/messages/index.ts';
import { problemAt, type Problem } from '../domain/offer-validation/problems.ts';

/** Longest a step may be set to take, or a request held: a year, and ten minutes. */
const MAX_STEP_DURATION_MS = 365 * 24 * 3600_000;
const MAX_DELAY_MS = 600_000;
const MAX_MESSAGES = 20;
const MAX_MESSAGE_LENGTH = 2000;
const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

type Json = Record<string, unknown>;

class Problems {
  readonly list: Problem[] = [];
  add(path: string, text: Message | string): undefined {
    this.list.push(typeof text === 'string' ? { path, message: text } : problemAt(path, text));
    return undefined;
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKeys(problems: Problems, at: string, value: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.add(`${at}.${key}`, message('input.notMember', { allowed: allowed.join(', ') }));
}

function wholeNumber(problems: Problems, at: string, value: unknown, min: number, max: number): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return problems.add(at, message('input.wholeNumber', { min, max }));
}

function id(problems: Problems, at: string, kind: 'publisherId' | 'offerId', value: unknown): string | undefined {
  if (typeof value !== 'string') return problems.add(at, message('input.string'));
  try {
    return parseId(kind, value);
  } catch (error) {
    return problems.add(at, error instanceof ApiError ? error.text : String(error));
  }
}

function stepMatch(problems: Problems, match: Json): StepFaultMatch {
  onlyKeys(problems, '$.match', match, ['publisherId', 'offerId', 'operation', 'step']);
  const result: StepFaultMatch = {};
  if (match['publisherId'] !== undefined) result.publisherId = id(problems, '$.match.publisherId', 'publisherId', match['publisherId'])!;
  if (match['offerId'] !== undefined) result.offerId = id(problems, '$.match.offerId', 'offerId', match['offerId'])!;
  const operation = match['operation'];
  if (operation !== undefined) {
    if (OPERATION_TYPES.includes(operation as OperationType)) result.operation = operation as OperationType;
    else problems.add('$.match.operation', message('input.oneOf', { allowed: OPERATION_TYPES.join(', ') }));
  }
  const step = match['step'];
  if (step !== undefined) {
    if (typeof step !== 'string' || !ALL_STEP_IDS.includes(step)) problems.add('$.match.step', message('input.stepId', { steps: ALL_STEP_IDS.join(', ') }));
    else if (result.operation && !stepsOf(result.operation).some((candidate) => candidate.id === step))
      problems.add(
        '$.match.step',
        message('input.notStepOf', {
          operation: result.operation,
          steps: stepsOf(result.operation)
            .map((s) => s.id)
            .join(', '),
        }),
      );
    else result.step = step;
  }
  return result;
}

function stepEffect(problems: Problems, effect: Json): StepFaultEffect | undefined {
  if ('fail' in effect) {
    const fail = effect['fail'];
    const messages = isObject(fail) ? fail['messages'] : undefined;
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_MESSAGES)
      return problems.add('$.effect.fail.messages', message('input.failMessages', { max: MAX_MESSAGES }));
    messages.forEach((given, index) => {
      if (typeof given !== 'string' || given.trim() === '' || given.length > MAX_MESSAGE_LENGTH)
        problems.add(`$.effect.fail.messages[${index}]`, message('input.text', { min: 1, max: MAX_MESSAGE_LENGTH }));
    });
    return { fail: { messages: messages as string[] } };
  }
  if ('block' in effect) return effect['block'] === true ? { block: true } : problems.add('$.effect.block', message('input.true'));
  const durationMs = wholeNumber(problems, '$.effect.durationMs', effect['durationMs'], 0, MAX_STEP_DURATION_MS);
  return durationMs === undefined ? undefined : { durationMs };
}

function httpMatch(problems: Problems, match: Json): HttpFaultMatch {
  onlyKeys(problems, '$.match', match, ['method', 'path', 'publisherId']);
  const result: HttpFaultMatch = {};
  const method = match['method'];
  if (method !== undefined) {
    if (typeof method === 'string' && HTTP_METHODS.includes(method.toUpperCase())) result.method = method.toUpperCase();
    else problems.add('$.match.method', message('input.oneOf', { allowed: HTTP_METHODS.join(', ') }));
  }
  const path = match['path'];
  if (path !== undefined) {
    if (typeof path === 'string' && path.startsWith('/') && path.length <= 500) result.path = path;
    else problems.add('$.match.path', message('input.pathGlob'));
  }
  if (match['publisherId'] !== undefined) result.publisherId = id(problems, '$.match.publisherId', 'publisherId', match['publisherId'])!;
  return result;
}

function httpEffect(problems: Problems, effect: Json): HttpFaultEffect | undefined {
  if ('drop' in effect) return effect['drop'] === true ? { drop: true } : problems.add('$.effect.drop', message('input.true'));
  if ('delayMs' in effect) {
    const delayMs = wholeNumber(problems, '$.effect.delayMs', effect['delayMs'], 1, MAX_DELAY_MS);
    return delayMs === undefined ? undefined : { delayMs };
  }
  const status = effect['status'];
  if (!INJECTED_STATUSES.includes(status as InjectedStatus))
    return problems.add('$.effect.status', message('input.oneOf', { allowed: INJECTED_STATUSES.join(', ') }));
  const result: HttpFaultEffect = { status: status as InjectedStatus };
  if (effect['retryAfter'] !== undefined) {
    const retryAfter = wholeNumber(problems, '$.effect.retryAfter', effect['retryAfter'], 0, 3600);
    if (retryAfter !== undefined) result.retryAfter = retryAfter;
  }
  return result;
}

const STEP_EFFECTS = ['fail', 'block', 'durationMs'];
const HTTP_EFFECTS = ['status', 'delayMs', 'drop'];

/** The rule `body` describes; a 400 InvalidRequest listing every problem otherwise. */
export function parseFaultRule(body: unknown): NewFaultRule {
  const problems = new Problems();
  if (!isObject(body)) throw errors.invalidRequest(message('error.faultRuleShape', { example: '{"match": {…}, "effect": {…}, "times"?: n}' }));
  onlyKeys(problems, '$', body, ['match', 'effect', 'times', 'probability', 'seed']);
  const match = body['match'] ?? {};
  const effect = body['effect'];
  if (!isObject(match)) problems.add('$.match', message('input.object'));
  if (!isObject(effect)) problems.add('$.effect', message('input.object'));
  let rule: NewFaultRule | undefined;
  if (isObject(match) && isObject(effect)) {
    const keys = Object.keys(effect);
    const stepKeys = keys.filter((key) => STEP_EFFECTS.includes(key));
    const httpKeys = keys.filter((key) => HTTP_EFFECTS.includes(key));
    if (stepKeys.length + httpKeys.length !== 1 || (httpKeys.length === 1 && keys.some((key) => key !== httpKeys[0] && key !== 'retryAfter')))
      problems.add('$.effect', message('input.oneEffect', { effects: [...STEP_EFFECTS, ...HTTP_EFFECTS].join(', ') }));
    else if (stepKeys.length === 1) {
      if (keys.length > 1) problems.add('$.effect', message('input.membersBesides', { effect: stepKeys[0]! }));
      const parsedMatch = stepMatch(problems, match);
      const parsed = stepEffect(problems, effect);
      if (parsed) rule = { kind: 'step', match: parsedMatch, effect: parsed };
    } else {
      const parsedMatch = httpMatch(problems, match);
      const parsed = httpEffect(problems, effect);
      if (parsed) rule = { kind: 'http', match: parsedMatch, effect: parsed };
    }
  }
  const times = body['times'] === undefined ? undefined : wholeNumber(problems, '$.times', body['times'], 1, 1_000_000);
  let probability: number | undefined;
  if (body['probability'] !== undefined) {
    const p = body['probability'];
    if (typeof p === 'number' && p > 0 && p <= 1) probability = p;
    else problems.add('$.probability', message('input.probability'));
  }
  const seed = body['seed'] === undefined ? undefined : wholeNumber(problems, '$.seed', body['seed'], 0, 2 ** 32 - 1);
  if (problems.list.length > 0 || !rule)
    throw errors.invalidInput('fault rule', problems.list.length > 0 ? problems.list : [problemAt('$', message('input.notFaultRule'))]);
  return { ...rule, ...(times !== undefined ? { times } : {}), ...(probability !== undefined ? { probability } : {}), ...(seed !== undefined ? { seed } : {}) };
}
