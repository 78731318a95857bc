// Pages for an organisation's administrators (and national administrators): its people with a
// leavers filter, joiners, edits, leavers behind a confirmation page, restoring, movers, quotas,
// generic mailboxes and the organisation's audit log. Every rule is the core's: a page only calls it.
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../directory/actor.js';
// Forms are offered only to those the core would let use them: its own check, asked before showing one.
import { isNational, requireAdminOf } from '../directory/actor.js';
import { DirectoryError } from '../directory/errors.js';
import { quotaTiers } from '../directory/quotas.js';
import type { WebOptions } from './plugin.js';
import { attempt, formOf, type Form } from './render.js';
import { PAGE_SIZE } from './staff.routes.js';

type OrgParams = { Params: { code: string } };
type UidParams = { Params: { uid: string } };

/** Optional text fields of a person as the core takes them: blank is none. */
const details = (f: Form) => ({
  title: f.title?.trim() || null,
  department: f.department?.trim() || null,
  site: f.site?.trim() || null,
  telephone: f.telephone?.trim() || null,
  mobile: f.mobile?.trim() || null,
});

const percent = { 500: 3, 1024: 2 } as Record<number, number>;

export function adminRoutes(app: FastifyInstance, { directory }: WebOptions) {
  const code = (p: { code: string }) => p.code.toUpperCase();

  app.get<OrgParams & { Querystring: { status?: string; after?: string; q?: string } }>(
    '/organisations/:code/people',
    async (req, reply) => {
      const actor = req.session!.actor;
      const org = await directory.getOrganisation(code(req.params));
      const status = req.query.status === 'leaver' ? 'leaver' : 'active';
      requireAdminOf(actor, org.code);
      const q = req.query.q?.trim().slice(0, 100) || undefined;
      const result = await directory.listPeople(actor, {
        org: org.code,
        status,
        q,
        after: req.query.after?.slice(0, 400) || undefined,
        limit: PAGE_SIZE,
      });
      const nextHref = result.next
        ? `/organisations/${org.code}/people?${new URLSearchParams({ status, q: q ?? '', after: result.next })}`
        : null;
      return reply.view('org-people', {
        title: `People in ${org.name}`,
        org,
        status,
        q: q ?? '',
        result,
        nextHref,
        national: isNational(actor),
      });
    },
  );

  const joinerData = async (orgCode: string) => {
    const org = await directory.getOrganisation(orgCode);
    return { title: `Add a joiner to ${org.name}`, org, tiers: quotaTiers };
  };

  app.get<OrgParams>('/organisations/:code/joiners/new', async (req, reply) => {
    const data = await joinerData(code(req.params));
    requireAdminOf(req.session!.actor, data.org.code);
    return reply.view('joiner', { ...data, values: {} });
  });

  app.post<OrgParams>('/organisations/:code/joiners', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await joinerData(code(req.params));
    const errors = [];
    if (!f.given_name?.trim()) errors.push({ field: 'given_name', message: 'Enter a given name' });
    if (!f.family_name?.trim()) errors.push({ field: 'family_name', message: 'Enter a family name' });
    if (errors.length) return reply.code(400).view('joiner', { ...data, values: f, errors });
    const made = await attempt(reply, 'joiner', { ...data, values: f }, 'given_name', () =>
      directory.createJoiner(actor, {
        givenName: f.given_name.trim(),
        familyName: f.family_name.trim(),
        orgCode: data.org.code,
        quotaMb: f.quota_mb ? Number(f.quota_mb) : undefined,
        ...details(f),
      }),
    );
    return made ? reply.redirect(`/people/${made.uid}?joined=1`, 303) : reply;
  });

  const editData = async (actor: Actor, uid: string) => {
    const person = await directory.getPerson(actor, uid);
    return { title: `Change ${person.displayName}`, person, tiers: quotaTiers };
  };

  app.get<UidParams>('/people/:uid/edit', async (req, reply) => {
    const data = await editData(req.session!.actor, req.params.uid);
    requireAdminOf(req.session!.actor, data.person.orgCode);
    const p = data.person;
    return reply.view('edit', {
      ...data,
      values: {
        given_name: p.givenName ?? '',
        family_name: p.familyName,
        title: p.title ?? '',
        department: p.department ?? '',
        site: p.site ?? '',
        telephone: p.telephone ?? '',
        mobile: p.mobile ?? '',
        quota_mb: String(p.quotaMb),
      },
    });
  });

  app.post<UidParams>('/people/:uid/edit', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await editData(actor, req.params.uid);
    const done = await attempt(reply, 'edit', { ...data, values: f }, 'given_name', async () => {
      if (!f.family_name?.trim())
        throw new DirectoryError('validation.failed', 'Enter a family name', { family_name: 'is required' });
      await directory.updatePerson(actor, data.person.uid, {
        givenName: f.given_name?.trim() || undefined,
        familyName: f.family_name.trim(),
        ...details(f),
      });
      if (f.quota_mb && Number(f.quota_mb) !== data.person.quotaMb)
        await directory.setQuota(actor, data.person.uid, Number(f.quota_mb));
      return true;
    });
    return done ? reply.redirect(`/people/${data.person.uid}`, 303) : reply;
  });

  app.get<UidParams>('/people/:uid/leaver', async (req, reply) => {
    const person = await directory.getPerson(req.session!.actor, req.params.uid);
    requireAdminOf(req.session!.actor, person.orgCode);
    return reply.view('leaver', { title: `Mark ${person.displayName} as a leaver`, person });
  });

  app.post<UidParams>('/people/:uid/leaver', async (req, reply) => {
    await directory.markLeaver(req.session!.actor, req.params.uid);
    return reply.redirect(`/people/${req.params.uid}`, 303);
  });

  // Restore: within the retention period a leaver comes back by joining their organisation again
  // (the core's mover, which keeps uid and address); after it, a national administrator brings back
  // the soft-deleted person first.
  app.post<UidParams>('/people/:uid/restore', async (req, reply) => {
    const actor = req.session!.actor;
    let person = await directory.getPerson(actor, req.params.uid);
    if (person.deletedAt) {
      await directory.restorePerson(actor, person.uid);
      person = await directory.getPerson(actor, person.uid);
    }
    if (!person.orgCode) throw new DirectoryError('validation.failed', 'The person has no organisation');
    await directory.joinOrganisation(actor, person.uid, { orgCode: person.orgCode });
    return reply.redirect(`/people/${person.uid}`, 303);
  });

  app.get<OrgParams>('/organisations/:code/movers/new', async (req, reply) => {
    const org = await directory.getOrganisation(code(req.params));
    requireAdminOf(req.session!.actor, org.code);
    return reply.view('mover', { title: `Bring someone to ${org.name}`, org, values: {} });
  });

  app.post<OrgParams>('/organisations/:code/movers', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const org = await directory.getOrganisation(code(req.params));
    const data = { title: `Bring someone to ${org.name}`, org, values: f };
    const uid = (f.uid ?? '').trim().split('@')[0];
    if (!uid)
      return reply.code(400).view('mover', { ...data, errors: [{ field: 'uid', message: 'Enter a username' }] });
    const out = await attempt(reply, 'mover', data, 'uid', () =>
      directory.joinOrganisation(actor, uid, { orgCode: org.code, ...details(f) }),
    );
    if (!out) return reply;
    if (out.request)
      return reply.view('mover', {
        ...data,
        values: {},
        requested: `${out.request.uid} is active in ${out.request.fromOrg}: they move when it lets them go.`,
      });
    return reply.redirect(`/people/${out.person.uid}`, 303);
  });

  app.get<OrgParams>('/organisations/:code/quotas', async (req, reply) => {
    const org = await directory.getOrganisation(code(req.params));
    const summary = await directory.getQuotaSummary(req.session!.actor, org.code);
    const tiers = summary.tiers.map((t) => ({
      ...t,
      percent: percent[t.quotaMb] ?? null,
      left: t.limit === null ? null : Math.max(0, t.limit - t.count),
    }));
    return reply.view('quotas', { title: `Mailbox quotas in ${org.name}`, org, summary, tiers });
  });

  const mailboxData = async (orgCode: string) => {
    const org = await directory.getOrganisation(orgCode);
    return { title: `Create a generic mailbox in ${org.name}`, org, tiers: quotaTiers };
  };

  app.get<OrgParams>('/organisations/:code/mailboxes/new', async (req, reply) => {
    const data = await mailboxData(code(req.params));
    requireAdminOf(req.session!.actor, data.org.code);
    return reply.view('mailbox-new', { ...data, values: { listed: 'yes' } });
  });

  app.post<OrgParams>('/organisations/:code/mailboxes', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await mailboxData(code(req.params));
    const made = await attempt(reply, 'mailbox-new', { ...data, values: f }, 'name', () =>
      directory.createMailbox(actor, {
        name: (f.name ?? '').trim(),
        orgCode: data.org.code,
        ownerUid: (f.owner_uid ?? '').trim().split('@')[0],
        quotaMb: f.quota_mb ? Number(f.quota_mb) : undefined,
        listed: f.listed === 'yes',
      }),
    );
    return made ? reply.redirect(`/mailboxes/${made.uid}`, 303) : reply;
  });

  app.get<OrgParams & { Querystring: { after?: string } }>('/organisations/:code/audit', async (req, reply) => {
    const actor = req.session!.actor;
    const org = await directory.getOrganisation(code(req.params));
    requireAdminOf(actor, org.code);
    const after = Number(req.query.after) || 0;
    // The change feed as the caller may read it (the core scopes a local administrator to their own
    // organisations); the page shows this organisation's part.
    const rows = await directory.listChanges(actor, { after, limit: 200 });
    const mine = rows.filter(
      (r) => (r.targetType === 'organisation' && r.targetId === org.code) || JSON.stringify(r).includes(org.code),
    );
    const nextHref = rows.length === 200 ? `/organisations/${org.code}/audit?after=${rows[rows.length - 1].seq}` : null;
    return reply.view('audit', { title: `Audit log of ${org.name}`, org, rows: mine, nextHref });
  });
}
