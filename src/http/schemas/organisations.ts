// Organisations (contract section 4): the Organisation JSON and the schemas of
// src/http/organisations.routes.ts, the address book's download among them.
import { z } from 'zod';
import type { OrganisationView } from '../../directory/organisations.service.js';
import { formats } from '../../export/export.js';
import { iso, odsCode } from './common.js';
import { page, pageQuery } from './page.js';
import { errors } from './problems.js';

export const organisation = z
  .object({
    code: z.string(),
    name: z.string(),
    status: z.enum(['active', 'closed']),
    parent_code: z.string().nullable(),
    successor_code: z.string().nullable(),
    previous_names: z.array(z.object({ name: z.string(), valid_from: z.string(), valid_to: z.string() })),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Organisation' });

export function organisationJson(
  o:
    | OrganisationView
    | (Omit<OrganisationView, 'previousNames'> & { previousNames?: OrganisationView['previousNames'] }),
): z.infer<typeof organisation> {
  return {
    code: o.code,
    name: o.name,
    status: o.status,
    parent_code: o.parentCode,
    successor_code: o.successorCode,
    previous_names: (o.previousNames ?? []).map((n) => ({
      name: n.name,
      valid_from: iso(n.validFrom),
      valid_to: iso(n.validTo),
    })),
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
  };
}

const codeParam = z.object({ code: odsCode });

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

export const listOrganisations = {
  tags: ['organisations'],
  operationId: 'listOrganisations',
  summary: 'Organisations by code or name prefix',
  querystring: z.object({
    q: z.string().max(100).optional(),
    status: z.enum(['active', 'closed']).optional(),
    ...pageQuery,
  }),
  response: { 200: page(organisation), ...errors },
};

export const getOrganisation = {
  tags: ['organisations'],
  operationId: 'getOrganisation',
  summary: 'One organisation, with its earlier names',
  params: codeParam,
  response: { 200: organisation, ...errors },
};

export const createOrganisation = {
  tags: ['organisations'],
  operationId: 'createOrganisation',
  summary: 'Create an organisation',
  body: z
    .object({ code: odsCode, name: z.string().min(1).max(200), parent_code: odsCode.nullable().optional() })
    .strict(),
  response: { 201: organisation, ...errors },
};

export const renameOrganisation = {
  tags: ['organisations'],
  operationId: 'renameOrganisation',
  summary: 'Rename: display names under it change at once',
  params: codeParam,
  body: z.object({ name: z.string().min(1).max(200) }).strict(),
  response: { 200: organisation, ...errors },
};

export const closeOrganisation = {
  tags: ['organisations'],
  operationId: 'closeOrganisation',
  summary: 'Close; with a successor its people move there, without one they become leavers',
  params: codeParam,
  body: z.object({ successor_code: odsCode.nullable().optional() }).strict(),
  response: { 200: organisation, ...errors },
};

export const getAddressBook = {
  tags: ['organisations'],
  operationId: 'getAddressBook',
  summary: "Download the organisation's address book (streamed)",
  params: codeParam,
  querystring: z.object({ format: z.enum(['vcard', 'vcard4', 'csv', 'ldif']).default('vcard') }),
  response: { 200: addressBook, ...errors },
};

export const getQuotaSummary = {
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
};
