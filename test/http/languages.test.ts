/**
 * Messages in four languages over real sockets (D98, D99): Accept-Language chooses the language
 * of every error message and step message, with q-values, unknown languages getting English;
 * codes, paths and fields never change; answers say their language in Content-Language; an
 * operation is stored language-neutral, so whoever reads it reads it in their own language.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_OFFER_ID } from '../../src/demo/demo-data.ts';
import { TEST_STORE, errorCode, startTestServer, type Response, type TestServer } from '../helpers/harness.ts';
import { configure, MP, PI, productIdOf, tree } from '../helpers/ingestion.ts';
import { JSON_HEADERS, offerPath, post, publishableOffer, put, waitForOperation } from '../helpers/offers.ts';
import { rawRequest } from '../helpers/raw-http.ts';

const IMAGES = 'microsoft-azure-virtualmachines.vmImages';
/** A SAS URL that expired long ago: certification refuses it. */
const EXPIRED_VHD_URL = 'https://contosostorage.blob.core.windows.net/vhds/contoso.vhd?sp=rl&se=2017-06-25T18%3A30%3A00Z&sig=c2ln';

const NOT_FOUND = {
  en: "The offer 'no-such-offer' does not exist in the publisher namespace 'contoso'.",
  ru: "Предложение 'no-such-offer' не существует в пространстве имен издателя 'contoso'.",
  nl: "De aanbieding 'no-such-offer' bestaat niet in de naamruimte van de uitgever 'contoso'.",
  zh: "发布者命名空间 'contoso' 中不存在产品/服务 'no-such-offer'。",
} as const;

describe(`messages in four languages (http, ${TEST_STORE})`, () => {
  let server: TestServer;
  before(async () => (server = await startTestServer('http')));
  after(async () => server.close());

  const inLanguage = (path: string, acceptLanguage: string | undefined, options: { method?: string; body?: unknown } = {}): Promise<Response> =>
    server.call(path, {
      method: options.method ?? 'GET',
      headers: { ...(acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage }), ...(options.body === undefined ? {} : JSON_HEADERS) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });

  it('an error message in each language, the code unchanged, the language in Content-Language', async () => {
    for (const [header, language] of [
      ['ru-RU', 'ru'],
      ['nl', 'nl'],
      ['zh-Hans', 'zh'],
      ['zh-CN', 'zh'],
      ['en-GB', 'en'],
    ] as const) {
      const res = await inLanguage(offerPath('no-such-offer'), header);
      assert.equal(res.status, 404);
      assert.equal(errorCode(res), 'OfferNotFound');
      assert.equal(res.json().error.message, NOT_FOUND[language], header);
      assert.equal(res.headers['content-language'], language, header);
      assert.equal(res.headers['vary'], 'accept-language', 'caches keep one answer per language');
    }
  });

  it('no Accept-Language, an unknown language, * or a malformed header: English', async () => {
    for (const header of [undefined, 'fr-FR', 'de, ja;q=0.5', '*', ';q=;;,', 'x'.repeat(3000)]) {
      const res = await inLanguage(offerPath('no-such-offer'), header);
      assert.equal(errorCode(res), 'OfferNotFound');
      assert.equal(res.json().error.message, NOT_FOUND.en, String(header).slice(0, 40));
      assert.equal(res.headers['content-language'], 'en');
    }
  });

  it('q-values choose among the languages served', async () => {
    for (const [header, language] of [
      ['en;q=0.4, nl;q=0.9', 'nl'],
      ['fr, zh-TW;q=0.3, ru;q=0.2', 'zh'],
      ['ru;q=0, nl;q=0.1', 'nl'],
      ['ru;q=0.5, nl;q=0.5', 'ru'],
    ] as const) {
      const res = await inLanguage(offerPath('no-such-offer'), header);
      assert.equal(res.json().error.message, NOT_FOUND[language], header);
    }
  });

  it('a refused PUT: the same problems at the same paths, each message in the language asked for', async () => {
    const document = publishableOffer('languages-bad');
    document['definition'].plans[0].regions = ['us'];
    document['definition'].displayText = 42;
    const english = await inLanguage(offerPath('languages-bad'), undefined, { method: 'PUT', body: document });
    const russian = await inLanguage(offerPath('languages-bad'), 'ru', { method: 'PUT', body: document });
    const chinese = await inLanguage(offerPath('languages-bad'), 'zh', { method: 'PUT', body: document });
    for (const res of [english, russian, chinese]) assert.equal(errorCode(res), 'InvalidDocument');
    const paths = (res: Response) => res.json().error.problems.map((problem: { path: string }) => problem.path);
    assert.deepEqual(paths(russian), paths(english));
    assert.deepEqual(paths(chinese), paths(english));
    assert.deepEqual(
      english.json().error.problems.map((problem: { message: string }) => problem.message),
      ['must be a string, not a number (42).', "'us' is not valid: expected a two-letter upper-case ISO 3166-1 country code, such as US."],
    );
    assert.deepEqual(
      russian.json().error.problems.map((problem: { message: string }) => problem.message),
      [
        'должно быть строкой; получено: число (42).',
        "'us' — недопустимое значение: ожидается двухбуквенный код страны ISO 3166-1 прописными буквами, например US.",
      ],
    );
    assert.equal(
      russian.json().error.message,
      `Документ предложения недопустим: ${russian
        .json()
        .error.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`)
        .join('; ')}`,
    );
    assert.match(chinese.json().error.problems[1].message, /^'us' 无效：应为两个大写字母的 ISO 3166-1 国家\/地区代码，例如 US。$/);
  });

  it('a 422 publish: the problems of the publish check in Dutch', async () => {
    const document = publishableOffer('languages-incomplete');
    document['definition'].plans[0]['microsoft-azure-virtualmachines.skuTitle'] = '';
    assert.equal((await put(server, 'languages-incomplete', document)).status, 200);
    const res = await inLanguage(offerPath('languages-incomplete', '/publish'), 'nl-NL', { method: 'POST' });
    assert.equal(errorCode(res), 'OfferValidationFailed');
    assert.deepEqual(res.json().error.problems, [
      {
        path: "$.definition.plans[0]['microsoft-azure-virtualmachines.skuTitle']",
        message:
          'Het abonnement contososkuidentifier heeft geen titel: stel microsoft-azure-virtualmachines.skuTitle in op de naam van het abonnement zoals die in de Marketplace wordt getoond.',
      },
    ]);
    assert.match(res.json().error.message, /^De aanbieding 'languages-incomplete' kan niet worden gepubliceerd: /);
  });

  it('step messages of a publish, read in each language; the operation started in Russian reads in Dutch for a Dutch reader', async () => {
    assert.equal((await put(server, 'languages-ok', publishableOffer('languages-ok'))).status, 200);
    const started = await inLanguage(offerPath('languages-ok', '/publish'), 'ru', { method: 'POST' });
    assert.equal(started.status, 202);
    assert.equal(started.headers['content-language'], 'ru');
    const location = started.headers['location']!;
    const operation = await waitForOperation(server, location);
    assert.equal(operation.status, 'succeeded');
    const messagesOf = async (header: string | undefined) => {
      const res = await inLanguage(location, header);
      assert.equal(res.status, 200);
      return { language: res.headers['content-language'], body: res.json() };
    };
    const english = await messagesOf(undefined);
    const certify = (body: any) => body.steps.find((step: { id: string }) => step.id === 'displaycertify').messages[0].messageHtml;
    const signoff = (body: any) => body.steps.find((step: { id: string }) => step.id === 'publisher-signoff').messages[0].messageHtml;
    assert.equal(certify(english.body), 'Certification passed.');
    assert.equal(signoff(english.body), 'Version 1 is available in preview. Check it, then go live.');
    const dutch = await messagesOf('nl');
    assert.equal(dutch.language, 'nl');
    assert.equal(certify(dutch.body), 'De certificering is geslaagd.');
    assert.equal(signoff(dutch.body), 'Versie 1 is beschikbaar als preview. Controleer deze en ga daarna live.');
    assert.equal(certify((await messagesOf('ru')).body), 'Сертификация пройдена.');
    assert.equal(signoff((await messagesOf('zh-Hans-CN')).body), '版本 1 已可在预览中使用。请检查后上线。');
    // Everything but the messages is the same, whatever the language.
    const withoutMessages = (body: any) => ({ ...body, steps: body.steps.map((step: any) => ({ ...step, messages: step.messages.length })) });
    assert.deepEqual(withoutMessages(dutch.body), withoutMessages(english.body));
    // The offer's status (E3) speaks the reader's language too.
    const status = await inLanguage(offerPath('languages-ok', '/status'), 'zh');
    assert.equal(status.headers['content-language'], 'zh');
    assert.equal(certify(status.json()), '认证已通过。');
  });

  it("a failed certification: the findings in the step, the operation's error and the submissions list, in the reader's language", async () => {
    const document = publishableOffer('languages-expired');
    document['definition'].plans[0][IMAGES]['1.0.1'].osVhdUrl = EXPIRED_VHD_URL;
    assert.equal((await put(server, 'languages-expired', document)).status, 200);
    const started = await post(server, 'languages-expired', 'publish');
    const operation = await waitForOperation(server, started.headers['location']!);
    assert.equal(operation.status, 'failed');
    const english = operation.messages[0].messageHtml as string;
    assert.match(english, /^The SAS URL of the image 1\.0\.1 of the plan contososkuidentifier expired on 2017-06-25T18:30:00Z: /);

    const russian = (await inLanguage(started.headers['location']!, 'ru')).json();
    const blocked = russian.steps.find((step: { status: string }) => step.status === 'blocked');
    assert.equal(blocked.id, 'displaycertify');
    assert.match(
      blocked.messages[0].messageHtml,
      /^Срок действия URL-адреса SAS образа 1\.0\.1 плана contososkuidentifier истек 2017-06-25T18:30:00Z: создайте для VHD-диска новый URL-адрес SAS/,
    );
    assert.equal(blocked.messages[0].level, 'error');
    assert.equal(russian.messages[0].messageHtml, blocked.messages[0].messageHtml, 'the operation error is the findings, in Russian');

    const submissions = await inLanguage(offerPath('languages-expired', '/submissions'), 'zh');
    assert.equal(submissions.headers['content-language'], 'zh');
    const failed = submissions.json().find((entry: { status: string }) => entry.status === 'failed');
    assert.match(failed.error, /^计划 contososkuidentifier 的映像 1\.0\.1 的 SAS URL 已于 2017-06-25T18:30:00Z 过期：/);
    assert.equal(failed.submissionState, 'failed', 'states are codes: never translated');

    // The dry run reports the same finding in Dutch.
    const report = await inLanguage(offerPath('languages-expired', '/validate'), 'nl', { method: 'POST' });
    assert.equal(report.headers['content-language'], 'nl');
    const finding = report.json().problems.find((problem: { stage: string }) => problem.stage === 'certification');
    assert.match(finding.message, /^De SAS-URL van de installatiekopie 1\.0\.1 van het abonnement contososkuidentifier is verlopen op 2017-06-25T18:30:00Z: /);
  });

  it("the demo's history reads in the reader's language too", async () => {
    const res = await inLanguage(offerPath(DEMO_OFFER_ID, '/submissions'), 'nl');
    const failed = res.json().find((entry: { status: string }) => entry.status === 'failed');
    assert.equal(failed.error, 'Er is geen installatiekopie van een virtuele machine gevonden voor het abonnement contososkuidentifier.');
    const operation = (await inLanguage(`/api/publishers/contoso/offers/${DEMO_OFFER_ID}/operations/${failed.id}?api-version=2017-10-31`, 'ru')).json();
    assert.deepEqual(
      operation.steps.map((step: { messages: Array<{ messageHtml: string }> }) => step.messages[0]?.messageHtml),
      ['Шаг выполнен.', 'Для плана contososkuidentifier не найден образ виртуальной машины.', undefined, undefined, undefined],
    );
  });

  it('a go-live refused because nothing is in preview, in Chinese', async () => {
    assert.equal((await put(server, 'languages-draft', publishableOffer('languages-draft'))).status, 200);
    const res = await inLanguage(offerPath('languages-draft', '/golive'), 'zh', { method: 'POST' });
    assert.equal(errorCode(res), 'NotReadyToGoLive');
    assert.equal(res.json().error.message, "产品/服务 'languages-draft' 无法上线：尚未发布任何内容到预览；请先发布，并等待 publisher-signoff 步骤。");
  });

  it('401 and 400 in Russian: the challenge and the code unchanged', async () => {
    const res = await server.call(offerPath(DEMO_OFFER_ID), { token: null, headers: { 'accept-language': 'ru' } });
    assert.equal(errorCode(res), 'Unauthorized');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.equal(res.json().error.message, 'Отсутствует заголовок Authorization. Отправьте "Authorization: Bearer <token>".');
    const version = await inLanguage(`/api/publishers/contoso/offers?api-version=1999-01-01`, 'ru');
    assert.equal(errorCode(version), 'InvalidAPIVersion');
    assert.match(version.json().error.message, /^Недопустимая версия API '1999-01-01'\. Допустимые значения: \[/);
  });

  it('the product-ingestion face: the message and its details in the language asked for, the codes unchanged', async () => {
    const res = await inLanguage(`${PI}/resource-tree/product/00000000-0000-0000-0000-000000000000?targetType=nonsense`, 'nl');
    assert.equal(res.status, 400);
    const { error } = res.json();
    assert.equal(error.code, 'badRequest');
    assert.equal(error.details[0].code, 'invalidRequest');
    assert.equal(error.message, "De queryparameter 'targetType' is ongeldig: 'nonsense' is geen van draft, preview, live");
    assert.equal(error.details[0].message, error.message);
    assert.equal(res.headers['content-language'], 'nl');
  });

  it('a refused configure request: every problem in Russian, with its path and resource', async () => {
    const res = await server.call(`${PI}/configure`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'accept-language': 'ru' },
      body: JSON.stringify({ $schema: 'https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview2', resources: [{ $schema: 'nope' }, 7], extra: 1 }),
    });
    assert.equal(res.status, 400);
    const { error } = res.json();
    assert.equal(error.code, 'badRequest');
    assert.deepEqual(
      error.details.map((detail: { code: string }) => detail.code),
      error.details.map(() => 'schemaValidationError'),
    );
    const messages = error.details.map((detail: { message: string }) => detail.message);
    assert.ok(messages.includes('$.resources[1]: должно быть объектом ресурса с $schema'), messages.join('\n'));
    assert.ok(
      messages.some((text: string) => /^\$\.resources\[0\]\.\$schema: не является схемой ресурса/.test(text)),
      messages.join('\n'),
    );
    assert.match(error.message, /^Запрос configure недопустим: /);
  });

  it("a failed configure job: its stored errors read in the reader's language, codes unchanged", async () => {
    assert.equal((await put(server, 'languages-job', publishableOffer('languages-job'))).status, 200);
    const productId = await productIdOf(server, 'languages-job');
    const english = await configure(server, [{ $schema: `${MP}/submission/2022-03-01-preview2`, product: productId, target: { targetType: 'live' } }]);
    assert.equal(english.jobResult, 'failed');
    assert.match(english.errors[0].details[0].message, /cannot go live: nothing has been published to preview yet/);
    const chinese = await inLanguage(`${PI}/configure/${english.jobId}/status`, 'zh-CN');
    assert.equal(chinese.headers['content-language'], 'zh');
    const { errors } = chinese.json();
    assert.equal(errors[0].code, english.errors[0].code);
    assert.equal(errors[0].details[0].code, 'invalidState');
    assert.equal(errors[0].details[0].message, "产品/服务 'languages-job' 无法上线：尚未发布任何内容到预览；请先发布，并等待 publisher-signoff 步骤。");
    assert.ok(!chinese.text.includes('"text"'), 'the catalogue form stays inside');
  });

  it("a configure job's own findings (a resource it cannot apply, a business rule it breaks) read in the reader's language", async () => {
    assert.equal((await put(server, 'languages-rules', publishableOffer('languages-rules'))).status, 200);
    const productId = await productIdOf(server, 'languages-rules');
    const techConfig = (await tree(server, productId)).resources.find((resource: any) =>
      resource.$schema.includes('/virtual-machine-plan-technical-configuration/'),
    );
    const planId: string = techConfig.skus[0].skuId;
    const findingsOf = (status: any): string[] => status.errors.flatMap((error: any) => error.details.map((detail: any) => detail.message));

    // A finding of the mapping: no SKU of the technical configuration names its plan.
    const unmatched = { ...techConfig, skus: techConfig.skus.map((sku: any) => ({ ...sku, skuId: `${sku.skuId}-other` })) };
    delete unmatched.id;
    const mapping = await configure(server, [unmatched]);
    assert.equal(mapping.jobResult, 'failed');
    assert.deepEqual(findingsOf(mapping), [`$.skus: One of the SkuIds should match the plan id '${planId}'.`]);
    const mappingRu = (await inLanguage(`${PI}/configure/${mapping.jobId}/status`, 'ru')).json();
    assert.deepEqual(findingsOf(mappingRu), [`$.skus: Один из SkuId должен совпадать с идентификатором плана '${planId}'.`]);
    assert.deepEqual(
      mappingRu.errors.map((error: any) => error.details.map((detail: any) => detail.code)),
      mapping.errors.map((error: any) => error.details.map((detail: any) => detail.code)),
    );

    // A business rule: a second plan whose SKU reuses the first plan's skuId.
    const secondPlan = {
      $schema: `${MP}/plan/2022-03-01-preview2`,
      resourceName: 'second',
      product: productId,
      identity: { externalId: 'second' },
      alias: 'Second',
    };
    const secondTech = { ...techConfig, plan: { resourceName: 'second' }, skus: [techConfig.skus[0], { ...techConfig.skus[0], skuId: 'second' }] };
    delete secondTech.id;
    const rule = await configure(server, [secondPlan, secondTech]);
    assert.equal(rule.jobResult, 'failed');
    const english = `$.skus[0].skuId: The skuId '${planId}' is already used by the plan '${planId}': a skuId must be unique across the offer.`;
    assert.ok(findingsOf(rule).includes(english), findingsOf(rule).join('\n'));
    const ruleRu = await inLanguage(`${PI}/configure/${rule.jobId}/status`, 'ru-RU');
    assert.equal(ruleRu.headers['content-language'], 'ru');
    const russian = `$.skus[0].skuId: skuId '${planId}' уже используется планом '${planId}': skuId должен быть уникальным в пределах предложения.`;
    assert.ok(findingsOf(ruleRu.json()).includes(russian), findingsOf(ruleRu.json()).join('\n'));
    assert.ok(!ruleRu.text.includes('"text"'), 'the catalogue form stays inside');
    // English readers read what the job said, word for word.
    assert.deepEqual(findingsOf((await inLanguage(`${PI}/configure/${rule.jobId}/status`, 'en')).json()), findingsOf(rule));
  });

  it('an answer with no message to read carries no Content-Language: the GET offer path does not read Accept-Language', async () => {
    const res = await inLanguage(offerPath(DEMO_OFFER_ID), 'ru');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-language'], undefined);
  });

  it('errors answered on the raw socket (417 Expectation Failed) follow Accept-Language too', async () => {
    const port = Number(new URL(server.baseUrl).port);
    const result = await rawRequest(
      port,
      `GET ${offerPath(DEMO_OFFER_ID)} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.ownerToken}\r\nAccept-Language: zh-CN\r\nExpect: 200-ok\r\n\r\n`,
    );
    assert.equal(result.kind === 'error' ? result.error.message : 'answered', 'answered');
    const [answer] = result.responses;
    assert.equal(answer?.status, 417);
    assert.equal(answer.headers['content-language'], 'zh');
    assert.deepEqual(JSON.parse(answer.text), { error: { code: 'ExpectationFailed', message: "不支持期望 '200-ok'；仅支持 100-continue。" } });
  });
});
