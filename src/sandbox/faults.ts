/**
 * The sandbox's fault rules: what to break, and when. Two kinds share one list and one id space:
 *
 *   step  rules act on the publishing workflow: `fail` ends a step exactly as a real finding does
 *         (operation failed, offer failed, the messages on the step, slots untouched); `block`
 *         holds a step running until the rule is deleted; `durationMs` sets how long a step takes.
 *   http  rules act on API requests before any work is done: answer a status, wait, or drop the
 *         connection — so an injected failure never half-applies a write.
 *
 * A rule with `times` acts that many times and then goes away (a `block` rule stops catching new
 * steps, and keeps holding the ones it caught until it is deleted). A rule with `probability`
 * acts on that share of the requests it matches, drawn from its own seeded generator, so a run
 * with a seed is repeatable. Rules live in the instance that received them (D63).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { InjectedStatus } from '../domain/errors.ts';
import type { OperationType, StepTarget } from '../domain/workflow.ts';

export interface StepFaultMatch {
  publisherId?: string;
  offerId?: string;
  operation?: OperationType;
  step?: string;
}

export type StepFaultEffect = { fail: { messages: string[] } } | { block: true } | { durationMs: number };

export interface HttpFaultMatch {
  method?: string;
  /** A glob over the request path: `*` within one segment, `**` across segments, `?` one character. */
  path?: string;
  publisherId?: string;
}

export type HttpFaultEffect = { status: InjectedStatus; retryAfter?: number } | { delayMs: number } | { drop: true };

interface RuleCommon {
  id: string;
  /** How many more times the rule acts; absent: until it is deleted. */
  times?: number;
  probability?: number;
  seed?: number;
  /** How many times it has acted. */
  hits: number;
  createdTime: string;
}

export type StepFaultRule = RuleCommon & { kind: 'step'; match: StepFaultMatch; effect: StepFaultEffect };
export type HttpFaultRule = RuleCommon & { kind: 'http'; match: HttpFaultMatch; effect: HttpFaultEffect };
export type FaultRule = StepFaultRule | HttpFaultRule;
export type NewFaultRule = Omit<StepFaultRule, 'id' | 'hits' | 'createdTime'> | Omit<HttpFaultRule, 'id' | 'hits' | 'createdTime'>;

/** Where the hosted service fails an operation, when a `fail` or `block` rule names no step. */
export const DEFAULT_FAULT_STEP: Record<OperationType, string> = { publish: 'displaycertify', golive: 'live', cancel: 'rollback' };

/** A small, fast generator (mulberry32): the same seed draws the same sequence. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The glob as a regular expression over a whole path (case-insensitive: ids in paths are). */
export function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

/** A block rule that caught its `times` steps stays (holding them) but catches no more. */
const usedUp = (rule: FaultRule) => rule.times !== undefined && rule.times <= 0;

const same = (a: string | undefined, b: string) => a === undefined || a.toLowerCase() === b.toLowerCase();

interface Entry {
  rule: FaultRule;
  draw: () => number;
  path?: RegExp;
  /** Steps a block rule holds: `operationId/position`. */
  held: Set<string>;
}

export class FaultRules {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  add(rule: NewFaultRule): FaultRule {
    const stored = { ...rule, id: randomUUID(), hits: 0, createdTime: new Date(this.#now()).toISOString() } as FaultRule;
    const entry: Entry = { rule: stored, draw: generator(rule.seed ?? randomInt(2 ** 32)), held: new Set() };
    if (stored.kind === 'http' && stored.match.path !== undefined) entry.path = globPattern(stored.match.path);
    this.#entries.set(stored.id, entry);
    return stored;
  }

  /** Whether any HTTP rule is in force: the request path looks no further when none is (nearly always). */
  hasHttpRules(): boolean {
    for (const entry of this.#entries.values()) if (entry.rule.kind === 'http') return true;
    return false;
  }

  list(): FaultRule[] {
    return [...this.#entries.values()].map((entry) => entry.rule);
  }

  get(id: string): FaultRule | undefined {
    return this.#entries.get(id)?.rule;
  }

  /** Deletes a rule; answers the steps it held (`operationId/position`), which may run again now. */
  remove(id: string): { removed: boolean; released: string[] } {
    const entry = this.#entries.get(id);
    if (!entry) return { removed: false, released: [] };
    this.#entries.delete(id);
    return { removed: true, released: [...entry.held] };
  }

  clear(): string[] {
    const released = [...this.#entries.values()].flatMap((entry) => [...entry.held]);
    this.#entries.clear();
    return released;
  }

  /** What a step that fell due meets: a failure, a hold, or nothing. */
  atStepDue(target: StepTarget): { fail: string[] } | { hold: true } | undefined {
    const key = `${target.operationId}/${target.position}`;
    for (const entry of this.#entries.values()) {
      if (entry.held.has(key)) return { hold: true };
    }
    for (const entry of this.#entries.values()) {
      const { rule } = entry;
      if (rule.kind !== 'step' || 'durationMs' in rule.effect || usedUp(rule) || !this.#matchesStep(rule.match, target, true)) continue;
      if (!this.#acts(entry)) continue;
      if ('fail' in rule.effect) return { fail: rule.effect.fail.messages };
      entry.held.add(key);
      return { hold: true };
    }
    return undefined;
  }

  /** The duration a rule sets for a step about to start, if one does. */
  durationOf(target: StepTarget): number | undefined {
    for (const entry of this.#entries.values()) {
      const { rule } = entry;
      if (rule.kind !== 'step' || !('durationMs' in rule.effect) || !this.#matchesStep(rule.match, target, false)) continue;
      if (this.#acts(entry)) return rule.effect.durationMs;
    }
    return undefined;
  }

  /** What an API request meets, if anything; `publisherId` is the one its path names. */
  forRequest(method: string, path: string, publisherId: string | undefined): (HttpFaultEffect & { ruleId: string }) | undefined {
    for (const entry of this.#entries.values()) {
      const { rule } = entry;
      if (rule.kind !== 'http' || !same(rule.match.method, method)) continue;
      if (entry.path && !entry.path.test(path)) continue;
      if (rule.match.publisherId !== undefined && (publisherId === undefined || !same(rule.match.publisherId, publisherId))) continue;
      if (this.#acts(entry)) return { ...rule.effect, ruleId: rule.id };
    }
    return undefined;
  }

  #matchesStep(match: StepFaultMatch, target: StepTarget, defaultsToFailingStep: boolean): boolean {
    if (!same(match.publisherId, target.publisherId) || !same(match.offerId, target.offerId)) return false;
    if (match.operation !== undefined && match.operation !== target.operation) return false;
    if (match.step !== undefined) return match.step === target.stepId;
    return !defaultsToFailingStep || DEFAULT_FAULT_STEP[target.operation] === target.stepId;
  }

  /** Whether a matching rule acts this time (its probability), counting it; a rule whose times are used up goes away. */
  #acts(entry: Entry): boolean {
    const { rule } = entry;
    if (rule.probability !== undefined && entry.draw() >= rule.probability) return false;
    rule.hits++;
    if (rule.times !== undefined) {
      rule.times--;
      const holding = rule.kind === 'step' && 'block' in rule.effect;
      if (rule.times <= 0 && !holding) this.#entries.delete(rule.id);
    }
    return true;
  }
}
