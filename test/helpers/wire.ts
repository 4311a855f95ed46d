/**
 * Every answer a suite receives is checked against what the route declares: its status must be
 * one the route lists (an error status falls back to the error body), and its body must match the
 * response schema — the TypeBox schemas, as the OpenAPI document publishes them. Routes send
 * pre-encoded JSON, so without this the schemas would be documentation only.
 */
import type { FastifyInstance } from 'fastify';
import { Ajv, type ValidateFunction } from 'ajv';

interface DeclaredRoute {
  method: string;
  pattern: RegExp;
  path: string;
  responses: Map<string, ValidateFunction | null>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

export type WireCheck = (method: string, url: string, status: number, text: string) => string | undefined;

export function wireChecker(app: FastifyInstance): WireCheck {
  const document = app.swagger() as unknown as OpenApiDocument;
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addSchema({ $id: 'openapi', components: document.components });
  const compile = (schema: unknown) =>
    ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"openapi#/components/schemas/')) as object);
  const errorBody = compile({ $ref: '#/components/schemas/ErrorBody' });
  const routes: DeclaredRoute[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/')) continue; // the token service answers OAuth's shapes, tested on their own
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i');
    for (const [method, operation] of Object.entries(operations)) {
      const responses = new Map<string, ValidateFunction | null>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const schema = response.content?.['application/json']?.schema;
        responses.set(status, schema === undefined ? null : compile(schema));
      }
      routes.push({ method: method.toUpperCase(), pattern, path, responses });
    }
  }
  return (method, url, status, text) => {
    const path = url.split('?')[0]!;
    const wanted = method === 'HEAD' ? 'GET' : method;
    const route = routes.find((candidate) => candidate.method === wanted && candidate.pattern.test(path));
    if (!route || method === 'HEAD' || text === '') return undefined;
    if (!route.responses.has(String(status)) && status < 400) return `${method} ${route.path} answered ${status}, which it does not declare`;
    const validate = route.responses.get(String(status)) ?? (status >= 400 ? errorBody : null);
    if (!validate) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `${method} ${route.path} ${status}: the body is not JSON`;
    }
    if (validate(body)) return undefined;
    return `${method} ${route.path} ${status}: the body does not match the declared schema: ${ajv.errorsText(validate.errors)}`;
  };
}
