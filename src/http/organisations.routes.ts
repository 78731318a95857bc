// Organisations (contract section 4): read by anyone signed in; created, renamed and closed by
// national administrators; quota summaries for their administrators.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Directory } from '../directory/directory.js';
import { exportStream, formats } from '../export/export.js';
import { caller } from './auth.js';
import { cursor, listQuery, odsCode, organisation, organisationJson, page, problem } from './schemas.js';

const codeParam = z.object({ code: odsCode });
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

/** The address book as a download: one media type per format (src/export/export.ts), streamed. */
const mediaTypes = [...new Set(Object.values(formats).map((f) => f.type.split(';')[0]))];
const addressBook = {
  description:
    'The address book: vCard 3.0 (format=vcard) or 4.0 (vcard4) as text/vcard, Outlook CSV as text/csv, ' +
    'LDIF as text/x-ldif; UTF-8, streamed',
  headers: {
    'Content-Disposition': {
      description: 'attachment, with a file name such as RXA-address-book.vcf',
      required: true,
      type: 'string',
      pattern: '^attachment; filename=',
    },
  },
  content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: z.string() }])),
};

export function organisationRoutes(app: FastifyInstance, directory: Directory, ldapSuffix: string) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const view = async (code: string) => organisationJson(await directory.getOrganisation(code));

  r.get(
    '/api/v1/organisations',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'listOrganisations',
        summary: 'Organisations by code or name prefix',
        querystring: z.object({
          q: z.string().max(100).optional(),
          status: z.enum(['active', 'closed']).optional(),
          ...listQuery,
        }),
        response: { 200: page(organisation), ...errors },
      },
    },
    async (req) => {
      const after = cursor.decode<string>(req.query.cursor, 'string');
      const rows = await directory.listOrganisations({
        q: req.query.q,
        status: req.query.status,
        after,
        limit: req.query.limit + 1,
      });
      const items = rows.slice(0, req.query.limit);
      return {
        items: items.map((o) => organisationJson(o)),
        next_cursor: rows.length > req.query.limit ? cursor.encode(items[items.length - 1].code) : null,
      };
    },
  );

  r.get(
    '/api/v1/organisations/:code',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'getOrganisation',
        summary: 'One organisation, with its earlier names',
        params: codeParam,
        response: { 200: organisation, ...errors },
      },
    },
    async (req) => view(req.params.code),
  );

  r.post(
    '/api/v1/organisations',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'createOrganisation',
        summary: 'Create an organisation',
        body: z
          .object({ code: odsCode, name: z.string().min(1).max(200), parent_code: odsCode.nullable().optional() })
          .strict(),
        response: { 201: organisation, ...errors },
      },
    },
    async (req, reply) => {
      await directory.createOrganisation(caller(req), {
        code: req.body.code,
        name: req.body.name,
        parentCode: req.body.parent_code,
      });
      return reply.code(201).send(await view(req.body.code));
    },
  );

  r.patch(
    '/api/v1/organisations/:code',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'renameOrganisation',
        summary: 'Rename: display names under it change at once',
        params: codeParam,
        body: z.object({ name: z.string().min(1).max(200) }).strict(),
        response: { 200: organisation, ...errors },
      },
    },
    async (req) => {
      await directory.renameOrganisation(caller(req), req.params.code, req.body.name);
      return view(req.params.code);
    },
  );

  r.post(
    '/api/v1/organisations/:code/close',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'closeOrganisation',
        summary: 'Close; with a successor its people move there, without one they become leavers',
        params: codeParam,
        body: z.object({ successor_code: odsCode.nullable().optional() }).strict(),
        response: { 200: organisation, ...errors },
      },
    },
    async (req) => {
      await directory.closeOrganisation(caller(req), req.params.code, req.body.successor_code);
      return view(req.params.code);
    },
  );

  r.get(
    '/api/v1/organisations/:code/address-book',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'getAddressBook',
        summary: "Download the organisation's address book (streamed)",
        params: codeParam,
        querystring: z.object({ format: z.enum(['vcard', 'vcard4', 'csv', 'ldif']).default('vcard') }),
        response: { 200: addressBook, ...errors },
      },
    },
    async (req, reply) => {
      await directory.getOrganisation(req.params.code); // 404 before any byte is sent
      const { type, extension } = formats[req.query.format];
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="${req.params.code}-address-book.${extension}"`)
        .send(exportStream(directory, caller(req), req.params.code, req.query.format, ldapSuffix) as never);
    },
  );

  r.get(
    '/api/v1/organisations/:code/quota',
    {
      config: { auth: true },
      schema: {
        tags: ['organisations'],
        operationId: 'getQuotaSummary',
        summary: 'Mailboxes per quota tier, with the limits',
        params: codeParam,
        response: {
          200: z.object({
            org_code: z.string(),
            mailboxes: z.number().int(),
            tiers: z.array(
              z.object({ quota_mb: z.number().int(), count: z.number().int(), limit: z.number().int().nullable() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const s = await directory.getQuotaSummary(caller(req), req.params.code);
      return {
        org_code: s.orgCode,
        mailboxes: s.mailboxes,
        tiers: s.tiers.map((t) => ({ quota_mb: t.quotaMb, count: t.count, limit: t.limit })),
      };
    },
  );
}
