// The Person JSON, made from the core's summaries: the people routes, the mover and review routes
// and "who am I" all answer with it.
import { z } from 'zod';
import type { PersonSummary } from '../../directory/people.queries.js';
import { iso } from './common.js';

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
        'Set when a leaver was soft-deleted after the retention period (national administrators see them; ' +
          'POST .../restore brings them back)',
      ),
  })
  .meta({ id: 'Person' });

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
