/**
 * The message catalogue (src/domain/messages): every message in every language with the same
 * placeholders, really translated, used by the code; the Accept-Language rule (D98); rendering.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SchemaObject } from 'ajv';
import { ApiError, errorBody, errors } from '../../src/domain/errors.ts';
import { CATALOGUE, LANGUAGES, type Language, languageOf, message, PLACEHOLDER, render, renderAll } from '../../src/domain/messages/index.ts';
import { ERROR_MESSAGES } from '../../src/domain/messages/errors.ts';
import { VALIDATION_MESSAGES } from '../../src/domain/messages/validation.ts';
import { OFFER_TYPES } from '../../src/domain/offer-types.ts';
import { EXPECTED_DESCRIPTIONS, validateOfferDocument } from '../../src/domain/offer-validation/document.ts';
import { definitionPartsFor, documentSchema } from '../../src/domain/offer-validation/schemas/document.ts';
import { validateForPublish } from '../../src/domain/offer-validation/index.ts';
import { RESOURCE_SCHEMAS, validateResource } from '../../src/product-ingestion/schemas.ts';
import { ROOT } from '../helpers/processes.ts';

const entries = Object.entries(CATALOGUE) as Array<[string, Record<Language, string>]>;
const placeholders = (template: string) => [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!).sort();
/** The words of a template: what is left without its placeholders, paths, code-like tokens and punctuation. */
const words = (template: string) => template.replace(PLACEHOLDER, '').replace(/[$\w.\-'"<>/?…*]*[.$_<>/][\w.\-'"<>/?…*]*/g, '');
/** Messages that read the same in every language: nothing but placeholders, or a JSON literal. */
const SAME_EVERYWHERE = new Set(['problem.line', 'value.other', 'type.null', 'value.null']);
/** Dutch shares a few words with English. */
const SAME_IN_DUTCH = new Set(['step.live']);

describe('the message catalogue', () => {
  it('has every message in every language, none empty, and no id defined twice', () => {
    assert.equal(entries.length, Object.keys(ERROR_MESSAGES).length + Object.keys(VALIDATION_MESSAGES).length, 'an id is defined twice');
    assert.ok(entries.length > 150);
    for (const [id, entry] of entries) {
      assert.deepEqual(Object.keys(entry).sort(), [...LANGUAGES].sort(), id);
      for (const language of LANGUAGES) assert.ok(entry[language].trim().length > 0, `${id} is empty in ${language}`);
    }
  });

  it('gives each message the same placeholders in every language', () => {
    for (const [id, entry] of entries) {
      for (const language of LANGUAGES) assert.deepEqual(placeholders(entry[language]), placeholders(entry.en), `${id} in ${language}`);
    }
  });

  it('translates every message with words in it: Russian in Cyrillic, Chinese in Han characters, Dutch not the English', () => {
    for (const [id, entry] of entries) {
      if (SAME_EVERYWHERE.has(id) || !/[A-Za-z]{3}/.test(words(entry.en))) continue;
      assert.match(entry.ru, /[А-Яа-яЁё]/, `${id} is not translated to Russian`);
      assert.match(entry.zh, /[\u4e00-\u9fff]/, `${id} is not translated to Chinese`);
      if (!SAME_IN_DUTCH.has(id)) assert.notEqual(entry.nl, entry.en, `${id} is not translated to Dutch`);
    }
  });

  it('holds only messages the code uses', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.includes(join('domain', 'messages'))) sources.push(readFileSync(path, 'utf8'));
      }
    };
    walk(join(ROOT, 'src'));
    const code = sources.join('\n');
    for (const [id] of entries) assert.ok(code.includes(`'${id}'`), `${id} is used nowhere`);
  });

  it('has a message for the description of every schema that a problem can quote', () => {
    const descriptions = new Set<string>();
    const collect = (node: unknown) => {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(collect);
      const schema = node as SchemaObject;
      if (typeof schema['description'] === 'string') descriptions.add(schema['description']);
      for (const value of Object.values(schema)) collect(value);
    };
    for (const type of OFFER_TYPES) collect(documentSchema(definitionPartsFor(type.id)));
    for (const schema of Object.values(RESOURCE_SCHEMAS)) collect(schema);
    assert.ok(descriptions.size >= 15);
    for (const description of descriptions) {
      // Enumerations describe themselves as "one of a, b, c": one message takes their list.
      if (/^one of [^:]+$/.test(description) && !description.startsWith('one of the offer types')) continue;
      assert.ok(EXPECTED_DESCRIPTIONS.has(description), `no message for the schema description '${description}'`);
    }
  });
});

describe('rendering', () => {
  it('fills placeholders with text, numbers, messages and lists, in the language asked for', () => {
    const text = message('error.versionNotFound', { offerId: 'contoso-vm', version: 3, latest: 2 });
    assert.equal(render(text), "The offer 'contoso-vm' has no version 3; its versions are 1 to 2.");
    assert.equal(render(text, 'nl'), "De aanbieding 'contoso-vm' heeft geen versie 3; de versies zijn 1 tot en met 2.");
    const nested = message('error.notReadyToGoLive', { offerId: 'x', why: message('golive.alreadyLive', { version: 2 }) });
    assert.equal(
      render(nested, 'ru'),
      "Предложение 'x' невозможно запустить в рабочей среде: версия 2 из Preview уже работает в рабочей среде; сначала опубликуйте новую версию.",
    );
    const listed = message('error.documentInvalid', {
      problems: [message('problem.line', { path: '$.a', message: message('document.required') }), message('problem.line', { path: '$.b', message: 'raw' })],
    });
    assert.equal(render(listed, 'zh'), '产品/服务文档无效：$.a: 为必填项，但缺失; $.b: raw');
    assert.equal(render('text that is not ours', 'ru'), 'text that is not ours');
  });

  it('renders every error of the catalogue in every language with no placeholder left unfilled', () => {
    const problems = [{ path: '$', message: 'm', text: message('document.required') }];
    const argumentsOf: Record<string, unknown[]> = {
      invalidDocument: [problems],
      validationFailed: ['x', problems],
      invalidConfigureRequest: [problems],
      invalidInput: ['webhook', problems],
      tooManyRequests: [3],
      payloadTooLarge: [10],
      injected: [502, 'rule-id', 1],
      methodNotAllowed: ['PATCH'],
      slotEmpty: ['x', 'Preview'],
    };
    for (const [name, factory] of Object.entries(errors)) {
      const error = (factory as (...args: unknown[]) => ApiError)(...(argumentsOf[name] ?? ['x', 'y', 'z']));
      if (typeof error.text === 'string') continue; // clientError, unavailable, invalidRequest given text that is not ours
      for (const [language, text] of Object.entries(renderAll(error.text))) {
        assert.doesNotMatch(text, PLACEHOLDER, `${name} in ${language}: ${text}`);
      }
    }
  });

  it('keeps the code and the paths of an error body and translates only its messages', () => {
    const problems = validateForPublish('microsoft-azure-virtualmachines', { displayText: 'x', offer: {}, plans: [] });
    const error = errors.validationFailed('contoso', problems);
    const english = JSON.parse(errorBody(error)) as { error: { code: string; message: string; problems: Array<{ path: string; message: string }> } };
    for (const language of ['ru', 'nl', 'zh'] as const) {
      const other = JSON.parse(errorBody(error, language)) as typeof english;
      assert.equal(other.error.code, english.error.code);
      assert.deepEqual(
        other.error.problems.map((problem) => problem.path),
        english.error.problems.map((problem) => problem.path),
      );
      assert.notEqual(other.error.message, english.error.message);
      for (const [index, problem] of other.error.problems.entries()) assert.notEqual(problem.message, english.error.problems[index]!.message, language);
      assert.ok(!JSON.stringify(other).includes('"text"'), 'the catalogue form stays inside');
    }
  });

  it('renders the PUT check, ajv and schema descriptions included, in another language', () => {
    const [problem] = validateOfferDocument({ offerTypeId: 'microsoft-azure-virtualmachines', definition: { displayText: 5 } });
    assert.ok(problem?.text);
    assert.equal(problem.message, 'must be a string, not a number (5).');
    assert.equal(render(problem.text, 'ru'), 'должно быть строкой; получено: число (5).');
    const [unknownType] = validateOfferDocument({ offerTypeId: 'nope', definition: {} });
    assert.match(render(unknownType!.text!, 'zh'), /应为以下产品\/服务类型之一/);
  });

  it('renders the product-ingestion resource check in another language, ajv keywords and enumerations included', () => {
    const problems = validateResource('plan', { $schema: 'x', product: 'nope', identity: { externalId: 'a'.repeat(80) }, alias: '', extra: 1 });
    assert.ok(problems.length >= 3, JSON.stringify(problems));
    for (const problem of problems) {
      assert.ok(problem.text, `${problem.path}: ${problem.message} has no catalogue form`);
      assert.match(render(problem.text, 'ru'), /[А-Яа-я]/, `${problem.path}: ${render(problem.text, 'ru')}`);
    }
    assert.ok(
      problems.some((problem) => problem.message === "must not have the property 'extra'."),
      JSON.stringify(problems),
    );
  });
});

describe('the language of an answer (Accept-Language)', () => {
  const cases: Array<[string | undefined, Language]> = [
    [undefined, 'en'],
    ['', 'en'],
    ['ru', 'ru'],
    ['ru-RU', 'ru'],
    ['RU-ru', 'ru'],
    ['nl-BE', 'nl'],
    ['zh', 'zh'],
    ['zh-Hans', 'zh'],
    ['zh-CN', 'zh'],
    ['zh-Hans-CN', 'zh'],
    ['zh-TW', 'zh'],
    ['zh-Hant', 'zh'],
    ['fr', 'en'],
    ['*', 'en'],
    ['fr-FR, nl;q=0.5', 'nl'],
    ['en;q=0.5, ru;q=0.9', 'ru'],
    ['ru;q=0.8, nl;q=0.8', 'ru'],
    ['nl;q=0, ru;q=0.1', 'ru'],
    ['nl;q=0', 'en'],
    ['ru;q=abc', 'en'],
    ['en-US,en;q=0.9,zh-CN;q=0.8', 'en'],
    ['de-DE,de;q=0.9,zh-Hans;q=0.7,ru;q=0.6', 'zh'],
    [';;;,,,q=1', 'en'],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} → ${expected}`, () => assert.equal(languageOf(header), expected));
  }
  it('reads a repeated header as one list, and a very long one without failing', () => {
    assert.equal(languageOf(['fr', 'zh;q=0.4']), 'zh');
    assert.equal(languageOf(`${'x-'.repeat(100_000)}ru`), 'en');
    assert.equal(languageOf(`${'fr;q=0.1,'.repeat(50)}ru`), 'ru');
  });
});
