// Pages for everyone signed in: sign-in and out, search, a person (with their vCard), an
// organisation (with its address book), my details and the generic mailboxes a person owns.
import type { FastifyInstance } from 'fastify';
import { principalFromName } from '../directory/accounts.service.js';
import { isAdminOf } from '../directory/actor.js';
import type { Actor } from '../directory/actor.js';
import type { Directory } from '../directory/directory.js';
import { DirectoryError } from '../directory/errors.js';
import { permissions, type Permission } from '../directory/mailboxes.service.js';
import { addressBookFileName, exportStream, formats, type Format } from '../export/export.js';
import { vcard } from '../export/vcard.js';
import type { WebOptions } from './plugin.js';
import { attempt, formOf } from './render.js';
import { endSession, IDLE_MINUTES, SESSION_HOURS, startSession } from './session.js';

export const PAGE_SIZE = 50;

const reasons: Record<string, string> = {
  idle: `You were signed out because you had not used the service for ${IDLE_MINUTES} minutes.`,
  ended: 'Your session has ended. Sign in again to continue.',
  out: 'You have signed out.',
};

/**
 * Where to go after signing in: a path on this site only. Printable ASCII without a backslash: browsers
 * drop tabs and newlines from a URL and read `\\` as `/` (either could make `//other.site`), and a
 * Location header cannot hold a control character or most others beyond ASCII.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/.test(next) || next.startsWith('/sign-'))
    return '/search';
  try {
    return new URL(next, 'http://x').origin === 'http://x' ? next : '/search';
  } catch {
    return '/search';
  }
}

/** Whether `code` names an organisation (the search page says so rather than finding no one). */
const isOrganisation = (directory: Directory, code: string) =>
  directory.getOrganisation(code).then(
    () => true,
    (err) => {
      if (err instanceof DirectoryError) return false;
      throw err;
    },
  );

/** Active people of an organisation, counted a page at a time through the same search REST uses. */
export async function countPeople(directory: Directory, actor: Actor, org: string): Promise<number> {
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const page = await directory.listPeople(actor, { org, status: 'active', after, limit: 500 });
    n += page.items.length;
    if (page.next === null) return n;
    after = page.next;
  }
}

/** `signedOut` hears of each session that signs out (its waiting uploads are forgotten). */
export function staffRoutes(app: FastifyInstance, opts: WebOptions, signedOut: (token: string) => void = () => {}) {
  const { directory, ldapSuffix } = opts;
  const settings = directory.settings ?? { lockoutAttempts: 5, lockoutMinutes: 15 };
  const lockout =
    `After ${settings.lockoutAttempts} wrong passwords in a row ` +
    `an account is locked for ${settings.lockoutMinutes} minutes.`;

  app.get('/', { config: { public: true } }, async (req, reply) =>
    reply.redirect(req.cookies.nhsd_session ? '/search' : '/sign-in', 303),
  );

  app.get<{ Querystring: { reason?: string; next?: string } }>(
    '/sign-in',
    { config: { public: true } },
    async (req, reply) =>
      reply.view('sign-in', {
        title: 'Sign in',
        notice: Object.hasOwn(reasons, req.query.reason ?? '') ? reasons[req.query.reason!] : null,
        next: safeNext(req.query.next),
        lockout,
        values: {},
      }),
  );

  app.post(
    '/sign-in',
    // The same per-address limit as REST's token route, beside the core's lockout shared with LDAP.
    { config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const f = formOf(req);
      const data = { title: 'Sign in', next: safeNext(f.next), lockout, values: { username: f.username ?? '' } };
      const errors = [];
      if (!f.username?.trim()) errors.push({ field: 'username', message: 'Enter your email address or username' });
      if (!f.password) errors.push({ field: 'password', message: 'Enter your password' });
      if (errors.length) return reply.code(400).view('sign-in', { ...data, errors });
      const actor = await directory.authenticate(principalFromName(f.username), f.password, req.ip);
      if (!actor || actor.kind !== 'person')
        return reply.code(401).view('sign-in', {
          ...data,
          errors: [
            {
              field: 'username',
              message: `The email address or password is not right, or the account is locked. ${lockout}`,
            },
          ],
        });
      await startSession(directory, req, reply, actor);
      return reply.redirect(data.next, 303);
    },
  );

  app.post('/sign-out', async (req, reply) => {
    const token = req.session?.token;
    await endSession(directory, req, reply);
    if (token) signedOut(token);
    return reply.redirect('/sign-in?reason=out', 303);
  });

  app.get<{ Querystring: { q?: string; org?: string; after?: string } }>('/search', async (req, reply) => {
    const q = (req.query.q ?? '').slice(0, 100);
    const org = (req.query.org ?? '').trim().toUpperCase().slice(0, 9);
    let result: { items: unknown[]; next: string | null } | null = null;
    let errors;
    if (q.trim() || org) {
      try {
        result = await directory.listPeople(req.session!.actor, {
          q: q.trim() || undefined,
          org: org || undefined,
          after: req.query.after?.slice(0, 400) || undefined,
          limit: PAGE_SIZE,
        });
      } catch (err) {
        if (!(err instanceof DirectoryError) || err.code !== 'validation.failed') throw err;
        errors = [{ field: 'q', message: 'That page of results no longer exists: search again' }];
      }
    }
    // No one found within a code that names no organisation: say so (asked only then, not on every page).
    if (org && !result?.items.length && !(await isOrganisation(directory, org))) {
      result = null;
      errors = [{ field: 'org', message: `No organisation has the code ${org}: check it on its organisation's page` }];
    }
    const nextHref = result?.next ? `/search?${new URLSearchParams({ q, org, after: result.next }).toString()}` : null;
    return reply.view('search', { title: 'Search the directory', q, org, result, nextHref, errors });
  });

  app.get<{ Params: { uid: string }; Querystring: { joined?: string } }>('/people/:uid', async (req, reply) => {
    const actor = req.session!.actor;
    const person = await directory.getPerson(actor, req.params.uid);
    return reply.view('person', {
      title: person.displayName,
      person,
      canAdminister: isAdminOf(actor, person.orgCode),
      joined: req.query.joined === '1',
    });
  });

  app.get<{ Params: { uid: string } }>('/people/:uid/contact.vcf', async (req, reply) => {
    const p = await directory.getPerson(req.session!.actor, req.params.uid);
    const card = vcard(
      {
        id: p.id,
        kind: 'person',
        uid: p.uid,
        mail: p.mail,
        given_name: p.givenName,
        family_name: p.familyName,
        cn: p.cn,
        display_name: p.displayName,
        org_code: p.orgCode ?? '',
        org_name: p.orgName ?? '',
        title: p.title,
        department: p.department,
        site: p.site,
        telephone: p.telephone,
        mobile: p.mobile,
        entry_uuid: p.entryUuid,
      },
      '3.0',
    );
    return reply
      .type('text/vcard; charset=utf-8')
      .header('content-disposition', `attachment; filename="${p.uid}.vcf"`)
      .send(card);
  });

  app.get<{ Params: { code: string } }>('/organisations/:code', async (req, reply) => {
    const actor = req.session!.actor;
    const code = req.params.code.toUpperCase();
    const org = await directory.getOrganisation(code);
    return reply.view('organisation', {
      title: org.name,
      org,
      people: await countPeople(directory, actor, code),
      formats: Object.keys(formats),
      canAdminister: isAdminOf(actor, code),
    });
  });

  app.get<{ Params: { code: string }; Querystring: { format?: string } }>(
    '/organisations/:code/address-book',
    async (req, reply) => {
      const code = req.params.code.toUpperCase();
      await directory.getOrganisation(code); // a friendly 404 before any byte is sent
      const format = (req.query.format ?? 'vcard') as Format;
      if (!Object.hasOwn(formats, format)) throw new DirectoryError('validation.failed', 'No such address book format');
      return reply
        .type(formats[format].type)
        .header('content-disposition', `attachment; filename="${addressBookFileName(code, format)}"`)
        .send(exportStream(directory, req.session!.actor, code, format, ldapSuffix));
    },
  );

  const meData = async (actor: Actor) => ({
    title: 'My details',
    person: await directory.getPerson(actor, actor.name),
    sessionHours: SESSION_HOURS,
    idleMinutes: IDLE_MINUTES,
  });

  app.get<{ Querystring: { done?: string } }>('/me', async (req, reply) =>
    reply.view('me', { ...(await meData(req.session!.actor)), done: req.query.done ?? null }),
  );

  app.post('/me', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await meData(actor);
    const done = await attempt(reply, 'me', { ...data, values: f }, 'telephone', () =>
      directory.updatePerson(actor, actor.name, {
        telephone: f.telephone?.trim() || null,
        mobile: f.mobile?.trim() || null,
      }),
    );
    return done ? reply.redirect('/me?done=details', 303) : reply;
  });

  app.post('/me/password', async (req, reply) => {
    const { actor, token } = req.session!;
    const f = formOf(req);
    const data = await meData(actor);
    if (!f.current_password)
      return reply.code(400).view('me', {
        ...data,
        errors: [{ field: 'current_password', message: 'Enter your current password' }],
      });
    if (f.new_password !== f.confirm_password)
      return reply.code(400).view('me', {
        ...data,
        errors: [{ field: 'confirm_password', message: 'The new passwords do not match' }],
      });
    const done = await attempt(reply, 'me', data, 'new_password', async () => {
      try {
        await directory.setPassword(actor, actor.name, {
          currentPassword: f.current_password,
          newPassword: f.new_password ?? '',
          keepToken: token,
        });
        return true;
      } catch (err) {
        // The core answers a wrong current password as bad credentials: here it is the form's field.
        if (err instanceof DirectoryError && err.code === 'auth.invalid_credentials')
          throw new DirectoryError('validation.failed', 'Your current password is not right', {
            current_password: 'is not right',
          });
        throw err;
      }
    });
    return done ? reply.redirect('/me?done=password', 303) : reply;
  });

  app.get<{ Querystring: { mailbox?: string } }>('/mailboxes', async (req, reply) => {
    const uid = req.query.mailbox?.trim();
    if (uid) return reply.redirect(`/mailboxes/${encodeURIComponent(uid.split('@')[0])}`, 303);
    const owned = await directory.listOwnedMailboxes(req.session!.actor);
    return reply.view('mailbox-find', { title: 'Generic mailboxes', owned });
  });

  const mailboxData = async (actor: Actor, uid: string) => {
    const m = await directory.getMailbox(actor, uid);
    const mine = m.ownerUid === actor.name;
    // The core lets only these change the delegates: nobody else is offered the forms.
    return { title: m.displayName, mailbox: m, permissions, mine, canManage: mine || isAdminOf(actor, m.orgCode) };
  };

  app.get<{ Params: { uid: string } }>('/mailboxes/:uid', async (req, reply) =>
    reply.view('mailbox', await mailboxData(req.session!.actor, req.params.uid)),
  );

  app.post<{ Params: { uid: string } }>('/mailboxes/:uid/delegates', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await mailboxData(actor, req.params.uid);
    const permission = (permissions as readonly string[]).includes(f.permission) ? f.permission : 'full_access';
    const done = await attempt(reply, 'mailbox', { ...data, values: f }, 'person_uid', () =>
      directory
        .setDelegate(actor, req.params.uid, (f.person_uid ?? '').trim(), permission as Permission)
        .then(() => true),
    );
    return !done ? reply : reply.redirect(`/mailboxes/${req.params.uid}`, 303);
  });

  app.post<{ Params: { uid: string; person: string } }>(
    '/mailboxes/:uid/delegates/:person/remove',
    async (req, reply) => {
      await directory.removeDelegate(req.session!.actor, req.params.uid, req.params.person);
      return reply.redirect(`/mailboxes/${req.params.uid}`, 303);
    },
  );
}
