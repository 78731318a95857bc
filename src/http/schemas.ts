// The REST API's JSON, as zod schemas: snake_case, no secrets. Responses are built by the
// functions here from the core's views, and validated on the way out by the same schemas.
import { z } from 'zod';
import type { OrganisationView } from '../directory/organisations.service.js';
import type { PersonSummary } from '../directory/people.queries.js';

export const odsCode = z.string().regex(/^[A-Z0-9]{1,9}$/, 'an ODS code: 1 to 9 upper-case letters and digits');

export const person = z
  .object({
    uid: z.string(),
    mail: z.string(),
    aliases: z.array(z.string()),
    given_name: z.string().nullable(),
    family_name: z.string(),
    display_name: z.string(),
    org_code: z.string().nullable(),
    org_name: z.string().nullable(),
    title: z.string().nullable(),
    department: z.string().nullable(),
    site: z.string().nullable(),
    telephone: z.string().nullable(),
    mobile: z.string().nullable(),
    status: z.enum(['active', 'leaver']),
    quota_mb: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
    deleted_at: z
      .string()
      .nullable()
      .describe(
        'Set when a leaver was soft-deleted after the retention period (national administrators see them; POST .../restore brings them back)',
      ),
  })
  .meta({ id: 'Person' });

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

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    request_id: z.string(),
    errors: z.array(z.object({ field: z.string().optional(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export const listQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
};

/** Opaque cursors: where the last page ended, base64url. A cursor that is not one of ours is a 400. */
export const cursor = {
  encode: (after: string | number) => Buffer.from(JSON.stringify({ a: after })).toString('base64url'),
  decode<T extends string | number>(raw: string | undefined, kind: 'string' | 'number'): T | undefined {
    if (raw === undefined) return undefined;
    try {
      const a = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')).a;
      if (typeof a === kind) return a as T;
    } catch {
      /* fall through */
    }
    const err = Object.assign(new Error('The cursor is not one this API gave out'), { statusCode: 400 });
    throw err;
  },
};

// Entry rows carry their times as ISO text already (made by the database): parsing it again to
// print it the same way cost more than the rest of a search page.
const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

export function personJson(p: PersonSummary): z.infer<typeof person> {
  return {
    uid: p.uid,
    mail: p.mail,
    aliases: p.aliases ?? [],
    given_name: p.givenName,
    family_name: p.familyName,
    display_name: p.displayName,
    org_code: p.orgCode,
    org_name: p.orgName,
    title: p.title,
    department: p.department,
    site: p.site,
    telephone: p.telephone,
    mobile: p.mobile,
    status: p.status,
    quota_mb: p.quotaMb,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    deleted_at: p.deletedAt == null ? null : iso(p.deletedAt),
  };
}

// Summaries of rows in the entry cache are the same objects from one search to the next, so a
// person's JSON text is made once: checked against the response schema (which keeps only what it
// names, as fastify's serializer would) and serialised. Checking and serialising 50 people on every
// search was most of a search's own CPU.
const personTexts = new WeakMap<PersonSummary, string>();

export function personText(p: PersonSummary): string {
  let text = personTexts.get(p);
  if (text === undefined) personTexts.set(p, (text = JSON.stringify(person.parse(personJson(p)))));
  return text;
}

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
