// The web pages: server-rendered HTML in the NHS.UK design over the same core as REST, in the same
// process. Everything here is encapsulated in one plugin, so that its cookies, CSRF checks, headers
// and HTML error pages apply to the pages only and the REST API answers exactly as before.
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Directory } from '../directory/directory.js';
import { createReview } from '../sync/review.js';
import { createSync } from '../sync/runs.js';
import { adminRoutes } from './admin.routes.js';
import { feedRoutes } from './feeds.routes.js';
import { nationalRoutes } from './national.routes.js';
import { navigation, registerPageErrors, registerPageNotFound } from './render.js';
import { loadSession } from './session.js';
import { staffRoutes } from './staff.routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A page anyone may open without signing in (sign-in itself, assets). */
    public?: boolean;
    /** The one kind of page that takes a multipart body (a file): the staff-feed upload. */
    upload?: boolean;
  }
  interface FastifyReply {
    /** What every template sees besides its own data (@fastify/view merges it in). */
    locals?: Record<string, unknown>;
  }
}

export interface WebOptions {
  directory: Directory;
  ldapSuffix: string;
  leaverThreshold: number;
}

/** Largest staff feed a page takes (REST takes up to 256 MiB; a browser upload is held in memory). */
export const UPLOAD_LIMIT = 64 * 1024 * 1024;

const here = dirname(fileURLToPath(import.meta.url));
const frontend = join(dirname(createRequire(import.meta.url).resolve('nhsuk-frontend/package.json')), 'dist/nhsuk');

export type Page = FastifyInstance;

export async function webPages(app: FastifyInstance, opts: WebOptions) {
  const { directory } = opts;
  // Pages are not part of the REST API's OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...(route.schema ?? {}), hide: true };
  });
  // Signed cookies: the key is derived from the directory's secret, so every process of one
  // deployment accepts the others' sessions (and a test's fake directory gets a random one).
  const identifierKey = directory.settings?.identifierKey;
  const secret = identifierKey
    ? createHmac('sha256', identifierKey).update('nhs-directory web cookies').digest('base64url')
    : randomBytes(32).toString('base64url');
  await app.register(cookie, { secret });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // Read only on the upload route, and only for someone signed in (the onRequest hook below).
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: UPLOAD_LIMIT, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 },
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'nhsd_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', signed: true },
    getToken: (req: FastifyRequest) => (req.body as Record<string, string> | undefined)?._csrf,
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'https://assets.nhs.uk'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
  });
  await app.register(fastifyStatic, { root: frontend, prefix: '/nhsuk/', index: false, maxAge: '1h' });
  await app.register(fastifyStatic, {
    root: join(here, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    index: false,
  });
  const eta = new Eta({ views: join(here, 'views'), autoEscape: true, cache: true });
  // production: each template is read and compiled once, not on every page (without it @fastify/view
  // reads and compiles them again for each request unless NODE_ENV is "production").
  await app.register(view, { engine: { eta }, root: join(here, 'views'), viewExt: 'eta', production: true });
  registerPageErrors(app);

  app.decorateRequest('session', null);
  // Who is signed in, and whether this page takes this kind of body, are settled before any body is
  // read: a body parser (multipart above all) runs before preHandler, so checking there would let
  // anyone make the server buffer a large upload first.
  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    const publicPage = config?.public || isAsset(req);
    const multipartBody = /^\s*multipart\//i.test(req.headers['content-type'] ?? '');
    if (!publicPage) {
      const state = await loadSession(directory, req, reply);
      if (state !== 'ok') return multipartBody ? tooLarge() : signIn(req, reply, state);
    }
    if (multipartBody && !config?.upload) return tooLarge();
  });
  // A parameter given twice (`?org=A&org=B`) arrives as an array; every page reads one string each,
  // so the first is taken here rather than each page failing with an internal error.
  app.addHook('preValidation', async (req) => {
    const query = req.query as Record<string, unknown>;
    for (const [k, v] of Object.entries(query ?? {})) if (Array.isArray(v)) query[k] = v[0];
  });
  app.addHook('preHandler', async (req, reply) => {
    const config = req.routeOptions.config;
    const publicPage = config?.public || isAsset(req);
    if (publicPage && req.method === 'GET') return;
    if (req.method === 'POST')
      await new Promise<void>((resolve, reject) =>
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())),
      );
  });
  // What every page's layout shows: the header's links, who is signed in, the form token.
  app.addHook('preHandler', async (req, reply) => {
    if (isAsset(req)) return;
    reply.locals = {
      csrf: reply.generateCsrf(),
      nav: navigation(req),
      me: req.session?.actor.name ?? null,
      path: req.url,
    };
  });

  const sync = createSync(directory, opts.leaverThreshold);
  const review = createReview(directory);
  const uploads = feedRoutes(app, directory, sync, review);
  staffRoutes(app, opts, (token) => uploads.forget(token));
  adminRoutes(app, opts);
  nationalRoutes(app, directory);
  registerPageNotFound(app);
}

const isAsset = (req: FastifyRequest) => req.url.startsWith('/nhsuk/') || req.url.startsWith('/assets/');

/** A multipart body where none is taken (or from someone not signed in): refused unread, as too large. */
function tooLarge(): never {
  throw Object.assign(new Error('This page does not take a file. Go back and try again.'), { statusCode: 413 });
}

function signIn(req: FastifyRequest, reply: FastifyReply, state: 'none' | 'idle' | 'ended') {
  const next = req.method === 'GET' ? `&next=${encodeURIComponent(req.url)}` : '';
  return reply.redirect(`/sign-in?reason=${state}${next}`, 303);
}
