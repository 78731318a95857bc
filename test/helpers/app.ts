// The REST API under test: the app on a test directory, whose every injected response is checked
// against the committed openapi/openapi.json: its status must be one the operation declares, its
// content type one that response declares (no content at all where it declares none), a JSON body
// must match the schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses) and the headers it declares
// required must be there and match. A response that disagrees fails the call, and so the test that
// made it. Other bodies (address books, metrics) are checked for status and content type only.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FastifyInstance, FastifyServerOptions, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import type { Directory } from '../../src/directory/directory.js';
import { testDirectory } from './directory.js';

/** A JSON Schema, as the document holds it. */
type Json = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document this check reads. */
interface Header {
  required?: boolean;
  schema?: Json;
}
interface Response {
  $ref?: string;
  headers?: Record<string, Header>;
  content?: Record<string, { schema?: Json }>;
}
type Operations = Record<string, { responses: Record<string, Response> } | undefined>;
interface Document {
  paths: Record<string, Operations>;
  components: { schemas?: Json; responses: Record<string, Response> };
}

const specId = 'https://nhs-directory.example/openapi.json';
/** Paths the document leaves out on purpose: the document itself and Swagger UI. */
const undocumented = (path: string) => path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');

/** A copy of a schema whose references to named schemas point into the document that holds them. */
function absolute(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absolute);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace(/^#\/components\/schemas\//, `${specId}#/$defs/`) : absolute(v),
    ]),
  );
}

interface Operation {
  path: string;
  pattern: RegExp;
  literal: number;
  operations: Operations;
}

class SpecCheck {
  // strictSchema: an unknown keyword in the document is a mistake in it, not something to skip.
  private readonly ajv = new Ajv2020({ strictSchema: true, allErrors: true });
  private readonly headerAjv = new Ajv2020({ strictSchema: true, coerceTypes: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly paths: Operation[];

  constructor(private readonly doc: Document) {
    // Keywords OpenAPI adds to JSON Schema (annotations only).
    const annotations = ['example', 'discriminator', 'xml', 'externalDocs'];
    for (const ajv of [this.ajv, this.headerAjv]) ajv.addVocabulary(annotations);
    // The named schemas as one JSON Schema document that the bodies' schemas refer to.
    this.ajv.addSchema({ $id: specId, $defs: absolute(doc.components.schemas ?? {}) });
    this.paths = Object.entries(doc.paths)
      .map(([path, operations]) => ({
        path,
        operations,
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
        literal: path.replace(/\{[^}/]+\}/g, '').length,
      }))
      .sort((a, b) => b.literal - a.literal); // /secure-domains/check before a template that would match it
  }

  private validator(at: string, schema: Json): ValidateFunction {
    let v = this.compiled.get(at);
    if (!v) this.compiled.set(at, (v = this.ajv.compile(absolute(schema) as Json)));
    return v;
  }

  private resolve(response: Response, at: string): [Response, string] {
    const m = typeof response.$ref === 'string' ? /^#\/components\/responses\/(.+)$/.exec(response.$ref) : null;
    return m ? [this.doc.components.responses[m[1]], `responses ${m[1]}`] : [response, at];
  }

  /** What is wrong with this response, by the document: nothing when the list is empty. */
  check(method: string, url: string, res: LightMyRequestResponse): string[] {
    const path = url.split('?')[0];
    const found = this.paths.find((p) => p.pattern.test(path));
    const operation = found?.operations[method.toLowerCase()];
    if (!found || !operation) {
      if (undocumented(path)) return [];
      // No such route: the spec cannot list what does not exist, but the answer is still a problem.
      if (res.statusCode === 404 && /"code":"route\.not_found"/.test(res.payload)) return [];
      return [`no operation for ${method} ${path} in the document`];
    }
    const status = String(res.statusCode);
    const responses = operation.responses;
    const key = [status, `${status[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) return [`status ${status} is not declared (declared: ${Object.keys(responses).join(', ')})`];
    const [response, at] = this.resolve(responses[key], `${method} ${found.path} ${key}`);
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`header ${name} is required`);
        continue;
      }
      const validate = this.headerAjv.compile(header.schema ?? {});
      if (!validate(String(value))) problems.push(`header ${name}: ${this.headerAjv.errorsText(validate.errors)}`);
    }
    if (!response.content) {
      const bytes = res.rawPayload.length;
      if (bytes > 0) problems.push(`status ${status} declares no content, but ${bytes} bytes came`);
      return problems;
    }
    const type = String(res.headers['content-type'] ?? '');
    const media = type.split(';')[0].trim().toLowerCase();
    if (!response.content[media]) {
      const declared = Object.keys(response.content).join(', ');
      return [...problems, `content type "${type}" is not declared for ${status} (declared: ${declared})`];
    }
    if (media === 'application/json' || media.endsWith('+json')) {
      let body: unknown;
      try {
        body = JSON.parse(res.payload);
      } catch {
        return [...problems, `the ${media} body is not JSON`];
      }
      const validate = this.validator(`${at} ${media}`, response.content[media].schema ?? {});
      if (!validate(body)) problems.push(`body: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
    }
    return problems;
  }
}

let loaded: Promise<SpecCheck> | undefined;

/** The committed document, checked once against the OpenAPI schema of its version. */
export function specCheck(): Promise<SpecCheck> {
  loaded ??= (async () => {
    const doc = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
    const result = await new Validator().validate(doc);
    if (!result.valid) {
      throw new Error(`openapi/openapi.json is not a valid OpenAPI document: ${JSON.stringify(result.errors)}`);
    }
    return new SpecCheck(doc as Document);
  })();
  return loaded;
}

/** Makes every `app.inject(options)` check its response against the document, failing on a disagreement. */
export async function checkResponses(app: FastifyInstance) {
  const spec = await specCheck();
  const inject = app.inject.bind(app) as (opts: InjectOptions | string) => Promise<LightMyRequestResponse>;
  const checked = async (opts?: InjectOptions | string) => {
    if (opts === undefined) throw new Error('use app.inject(options): the chained form is not checked');
    const res = await inject(opts);
    const method = typeof opts === 'string' ? 'GET' : String(opts.method ?? 'GET').toUpperCase();
    const url = typeof opts === 'string' ? opts : String(opts.url ?? opts.path ?? '/');
    const problems = spec.check(method, url, res);
    if (problems.length) {
      const what = `${method} ${url} answered ${res.statusCode}`;
      throw new Error(`${what} against openapi/openapi.json:\n  ${problems.join('\n  ')}`);
    }
    return res;
  };
  (app as unknown as { inject: typeof checked }).inject = checked;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  type?: string;
  headers?: Record<string, string>;
}

export interface TestAppOptions {
  /** The directory to serve; a fresh test directory (test/helpers/directory.ts) when left out. */
  directory?: Directory;
  /** Fastify's server options: `{ logger: false }` unless given (a test that reads the logs gives its logger). */
  server?: FastifyServerOptions;
  settings?: Parameters<typeof buildApp>[2];
}

/**
 * The app for one test, as fastify/demo's test/helper.ts: built on `directory` (or on a fresh test
 * directory), closed when the test ends, with every response checked against the spec. `call`
 * injects a request with an optional bearer token, body, content type and headers; `login` signs in
 * and gives the token (it throws when sign-in is refused); `tryLogin` gives null instead.
 */
export async function testApp(t: Test, { directory, server = { logger: false }, settings }: TestAppOptions = {}) {
  const fresh = directory ? undefined : await testDirectory(t);
  const dir = directory ?? fresh!.dir;
  const app = await buildApp(dir, server, settings);
  t.teardown(() => app.close());
  await checkResponses(app);
  const call = (method: string, url: string, opts: CallOptions = {}) =>
    app.inject({
      method: method as never,
      url,
      payload: opts.body as never,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.type ? { 'content-type': opts.type } : {}),
        ...opts.headers,
      },
    });
  const tryLogin = async (username: string, password: string): Promise<string | null> => {
    const res = await call('POST', '/api/v1/auth/token', { body: { username, password } });
    return res.statusCode === 200 ? (res.json().access_token as string) : null;
  };
  const login = async (username: string, password: string): Promise<string> => {
    const token = await tryLogin(username, password);
    if (token === null) throw new Error(`signing in as ${username} was refused`);
    return token;
  };
  return { app, call, login, tryLogin, dir, database: fresh?.database, clock: fresh?.clock };
}
