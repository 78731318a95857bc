// Organisations (contract section 4): read by anyone signed in; created, renamed and closed by
// national administrators; quota summaries for their administrators.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Directory } from '../directory/directory.js';
import { addressBookFileName, exportStream, formats } from '../export/export.js';
import { caller } from './auth.js';
import {
  closeOrganisation,
  createOrganisation,
  getAddressBook,
  getOrganisation,
  getQuotaSummary,
  listOrganisations,
  organisationJson,
  renameOrganisation,
} from './schemas/organisations.js';
import { cursor, pageOf } from './schemas/page.js';

export function organisationRoutes(app: FastifyInstance, directory: Directory, ldapSuffix: string) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const view = async (code: string) => organisationJson(await directory.getOrganisation(code));

  r.get('/api/v1/organisations', { config: { auth: true }, schema: listOrganisations }, async (req) => {
    const after = cursor.decode<string>(req.query.cursor, 'string');
    const rows = await directory.listOrganisations({
      q: req.query.q,
      status: req.query.status,
      after,
      limit: req.query.limit + 1,
    });
    return pageOf(
      rows,
      req.query.limit,
      (o) => organisationJson(o),
      (o) => o.code,
    );
  });

  r.get('/api/v1/organisations/:code', { config: { auth: true }, schema: getOrganisation }, async (req) =>
    view(req.params.code),
  );

  r.post('/api/v1/organisations', { config: { auth: true }, schema: createOrganisation }, async (req, reply) => {
    await directory.createOrganisation(caller(req), {
      code: req.body.code,
      name: req.body.name,
      parentCode: req.body.parent_code,
    });
    return reply.code(201).send(await view(req.body.code));
  });

  r.patch('/api/v1/organisations/:code', { config: { auth: true }, schema: renameOrganisation }, async (req) => {
    await directory.renameOrganisation(caller(req), req.params.code, req.body.name);
    return view(req.params.code);
  });

  r.post('/api/v1/organisations/:code/close', { config: { auth: true }, schema: closeOrganisation }, async (req) => {
    await directory.closeOrganisation(caller(req), req.params.code, req.body.successor_code);
    return view(req.params.code);
  });

  r.get(
    '/api/v1/organisations/:code/address-book',
    { config: { auth: true }, schema: getAddressBook },
    async (req, reply) => {
      await directory.getOrganisation(req.params.code); // 404 before any byte is sent
      const fileName = addressBookFileName(req.params.code, req.query.format);
      return reply
        .type(formats[req.query.format].type)
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(exportStream(directory, caller(req), req.params.code, req.query.format, ldapSuffix) as never);
    },
  );

  r.get('/api/v1/organisations/:code/quota', { config: { auth: true }, schema: getQuotaSummary }, async (req) => {
    const s = await directory.getQuotaSummary(caller(req), req.params.code);
    return {
      org_code: s.orgCode,
      mailboxes: s.mailboxes,
      tiers: s.tiers.map((t) => ({ quota_mb: t.quotaMb, count: t.count, limit: t.limit })),
    };
  });
}
