// Pages for national administrators: organisations (create, rename, close with a successor), the
// secure domains, role grants and service accounts. The core refuses anyone else; the pages only
// ask it.
import type { FastifyInstance } from 'fastify';
import { requireNational } from '../directory/actor.js';
import type { Directory } from '../directory/directory.js';
import { attempt, formOf } from './render.js';

type OrgParams = { Params: { code: string } };
const roles = ['local_admin', 'national_admin', 'auditor', 'connector'] as const;
type GrantRole = (typeof roles)[number];

export function nationalRoutes(app: FastifyInstance, directory: Directory) {
  const adminData = async (q?: string, address?: string) => ({
    title: 'National administration',
    organisations: await directory.listOrganisations({ q: q || undefined, limit: 200 }),
    domains: await directory.listSecureDomains(),
    roles,
    q: q ?? '',
    values: {},
    // The secure domains are a seeded list the contract only reads: the page answers, as REST's
    // check does, whether an address is on one.
    address: address ?? '',
    check: address ? await directory.checkAddress(address) : null,
  });

  app.get<{ Querystring: { q?: string; done?: string; address?: string } }>('/admin', async (req, reply) => {
    // The page's lists are readable by anyone signed in over REST; what it offers is not.
    requireNational(req.session!.actor);
    const data = await adminData(req.query.q?.slice(0, 100), req.query.address?.trim().slice(0, 320));
    return reply.view('national', { ...data, done: req.query.done ?? null });
  });

  app.post('/admin/organisations', async (req, reply) => {
    const f = formOf(req);
    const data = await adminData();
    const done = await attempt(reply, 'national', { ...data, values: f }, 'code', () =>
      directory.createOrganisation(req.session!.actor, {
        code: (f.code ?? '').trim().toUpperCase(),
        name: (f.name ?? '').trim(),
        parentCode: f.parent_code?.trim().toUpperCase() || null,
      }),
    );
    return done ? reply.redirect(`/organisations/${(f.code ?? '').trim().toUpperCase()}`, 303) : reply;
  });

  app.post('/admin/grants', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await adminData();
    const role = (roles as readonly string[]).includes(f.role) ? (f.role as GrantRole) : 'local_admin';
    const holder = f.holder?.includes('.') ? { uid: f.holder.trim() } : { service: (f.holder ?? '').trim() };
    const grant = { role, orgCode: f.org_code?.trim().toUpperCase() || null };
    const done = await attempt(reply, 'national', { ...data, values: f }, 'holder', async () => {
      if (f.revoke === 'yes') await directory.revokeRole(actor, holder, grant);
      else await directory.grantRole(actor, holder, grant);
      return true;
    });
    return done ? reply.redirect(`/admin?done=${f.revoke === 'yes' ? 'revoked' : 'granted'}`, 303) : reply;
  });

  app.post('/admin/services', async (req, reply) => {
    const actor = req.session!.actor;
    const f = formOf(req);
    const data = await adminData();
    const role = (roles as readonly string[]).includes(f.service_role) ? (f.service_role as GrantRole) : 'connector';
    const done = await attempt(reply, 'national', { ...data, values: f }, 'service_name', async () => {
      await directory.createService(actor, {
        name: (f.service_name ?? '').trim(),
        description: f.description?.trim() || undefined,
        password: f.service_password || undefined,
        grants: [{ role, orgCode: f.service_org?.trim().toUpperCase() || null }],
      });
      return true;
    });
    return done ? reply.redirect('/admin?done=service', 303) : reply;
  });

  const orgForm = async (code: string) => {
    const org = await directory.getOrganisation(code.toUpperCase());
    return { title: `Change ${org.name}`, org, values: { name: org.name } };
  };

  app.get<OrgParams>('/organisations/:code/manage', async (req, reply) => {
    requireNational(req.session!.actor);
    return reply.view('org-manage', await orgForm(req.params.code));
  });

  app.post<OrgParams>('/organisations/:code/rename', async (req, reply) => {
    const f = formOf(req);
    const data = await orgForm(req.params.code);
    const done = await attempt(reply, 'org-manage', { ...data, values: f }, 'name', async () => {
      await directory.renameOrganisation(req.session!.actor, data.org.code, (f.name ?? '').trim());
      return true;
    });
    return done ? reply.redirect(`/organisations/${data.org.code}`, 303) : reply;
  });

  app.post<OrgParams>('/organisations/:code/close', async (req, reply) => {
    const f = formOf(req);
    const data = await orgForm(req.params.code);
    const done = await attempt(reply, 'org-manage', { ...data, values: f }, 'successor_code', async () => {
      await directory.closeOrganisation(
        req.session!.actor,
        data.org.code,
        f.successor_code?.trim().toUpperCase() || null,
      );
      return true;
    });
    return done ? reply.redirect(`/organisations/${data.org.code}`, 303) : reply;
  });
}
