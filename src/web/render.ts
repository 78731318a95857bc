// What every page needs: the core's refusals as NHS.UK error summaries with the failing field
// marked, and friendly error pages (403, 404, 429, 500) with no stack trace.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdmin, isNational } from '../directory/actor.js';
import { describeError, DirectoryError, isDatabaseUnavailable } from '../directory/errors.js';

export interface FieldError {
  field: string;
  message: string;
}

/** Form data as posted: every value a string (a repeated field keeps its last value). */
export type Form = Record<string, string>;
export const formOf = (req: FastifyRequest): Form => {
  const out: Form = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof last === 'string') out[k] = last;
  }
  return out;
};

/** Which field of a form an error of the core belongs to, when it says (or its code does). */
const fieldOfCode: Record<string, string> = {
  'person.invalid_name': 'family_name',
  'organisation.invalid_code': 'code',
  'organisation.not_found': 'org_code',
  'organisation.exists': 'code',
  'quota.invalid_tier': 'quota_mb',
  'quota.limit_reached': 'quota_mb',
  'mailbox.no_owner': 'owner_uid',
  'service.exists': 'name',
};

/** The core's refusal as a list of field errors: `first` is the field to mark when it names none. */
export function fieldErrors(err: DirectoryError, first: string): FieldError[] {
  if (err.fields && Object.keys(err.fields).length)
    return Object.entries(err.fields).map(([field, message]) => ({
      field: field.replace(/^body\./, ''),
      message: `${err.message}: ${field.replace(/^body\./, '').replace(/_/g, ' ')} ${message}`,
    }));
  return [{ field: fieldOfCode[err.code] ?? first, message: err.message }];
}

/** A refusal a form shows on itself (bad input, a conflict); others become error pages. */
export const isFormError = (err: unknown): err is DirectoryError =>
  err instanceof DirectoryError && err.code !== 'auth.forbidden';

/** Run a form's action; a refusal shows the form again with the error summary. */
export async function attempt<T>(
  reply: FastifyReply,
  view: string,
  data: Record<string, unknown>,
  first: string,
  action: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (!isFormError(err)) throw err;
    await reply.code(400).view(view, { ...data, errors: fieldErrors(err, first) });
    return undefined;
  }
}

/** Links in the header, by what the person holds. */
export function navigation(req: FastifyRequest) {
  const actor = req.session?.actor;
  if (!actor) return [];
  const links = [
    { href: '/search', text: 'Search' },
    { href: '/me', text: 'My details' },
  ];
  for (const org of [...actor.adminOf].sort())
    links.push({ href: `/organisations/${org}/people`, text: `${org} people` });
  if (isAdmin(actor)) links.push({ href: '/review', text: 'Re-hires' });
  if (isNational(actor)) links.push({ href: '/admin', text: 'National' });
  return links.map((l) => ({ ...l, current: req.url === l.href || req.url.startsWith(`${l.href}?`) }));
}

function errorPage(reply: FastifyReply, status: number, title: string, message: string) {
  return reply.code(status).view('error', { title, message, requestId: String(reply.request.id) });
}

export function registerPageErrors(app: FastifyInstance) {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    if (err instanceof DirectoryError) {
      if (err.code === 'auth.forbidden')
        return errorPage(
          reply,
          403,
          'You cannot do that',
          `${err.message}. Ask your local administrator if you need to.`,
        );
      if (err.code.endsWith('.not_found'))
        return errorPage(reply, 404, 'Page not found', `${err.message}. Check the address or search again.`);
      if (err.code === 'auth.invalid_credentials') return reply.redirect('/sign-in', 303);
      // Bad input outside a form (a form shows it on itself): an address that asks for nothing valid.
      if (err.code === 'validation.failed')
        return errorPage(reply, 400, 'Sorry, there is a problem with that request', err.message);
      if (err.code === 'service.busy') return errorPage(reply, 503, 'Sorry, the service is busy', err.message);
      return errorPage(reply, 409, 'That could not be done', err.message);
    }
    if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET')
      return errorPage(
        reply,
        403,
        'This form has expired',
        'The form was not sent from this service, or it is too old. Go back, reload the page and try again.',
      );
    if (err.statusCode === 429)
      return errorPage(reply, 429, 'Too many attempts', 'Wait a minute before you try again.');
    if (err.statusCode === 413) return errorPage(reply, 413, 'The file is too large', err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return errorPage(reply, err.statusCode, 'Sorry, there is a problem with that request', 'Go back and try again.');
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ error: describeError(err) }, 'database unavailable');
      return errorPage(
        reply,
        503,
        'Sorry, the service is unavailable',
        'The directory cannot reach its database at the moment. Try again in a few minutes.',
      );
    }
    req.log.error({ error: describeError(err) }, 'page failed');
    return errorPage(
      reply,
      500,
      'Sorry, there is a problem with the service',
      'Try again later. If you report it, quote the reference below.',
    );
  });
}

/** Not a page: an unknown address asked for as a page gets the friendly 404; anything else REST's. */
export function registerPageNotFound(app: FastifyInstance) {
  app.get('/*', { schema: { hide: true }, config: { public: true } }, async (req, reply) => {
    const wantsHtml = /text\/html/.test(req.headers.accept ?? '');
    if (!wantsHtml || req.url.startsWith('/api/')) return reply.callNotFound();
    return errorPage(reply, 404, 'Page not found', 'If you typed the web address, check it is correct.');
  });
}
