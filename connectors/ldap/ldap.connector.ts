// `ldap`: pull the people of an existing directory (a trust's Active Directory or OpenLDAP) with a
// real LDAP client, page by page. Each entry becomes a staff record through the attribute map; the
// "line" of a record is the entry's position in the answer.
import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { z } from 'zod';
import { defineConnector, FeedRejected, type Item, type StaffRecord } from '../connector.js';

const fields = [
  'employeeNumber',
  'givenName',
  'familyName',
  'preferredName',
  'title',
  'department',
  'site',
  'telephone',
  'mobile',
  'email',
] as const;
type Field = (typeof fields)[number];

/**
 * Attributes both Active Directory and inetOrgPerson have; override any, and map preferredName if
 * the directory has one.
 */
const defaultMap: Partial<Record<Field, string>> = {
  employeeNumber: 'employeeNumber',
  givenName: 'givenName',
  familyName: 'sn',
  title: 'title',
  department: 'department',
  site: 'physicalDeliveryOfficeName',
  telephone: 'telephoneNumber',
  mobile: 'mobile',
  email: 'mail',
};

export const ldapConfig = z
  .object({
    url: z.string().regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://'),
    bind_dn: z.string().optional(),
    password: z.string().optional(),
    base: z.string(),
    filter: z.string().default('(objectClass=person)'),
    scope: z.enum(['base', 'one', 'sub']).default('sub'),
    attributes: z.partialRecord(z.enum(fields), z.string()).default({}),
    page_size: z.number().int().min(1).max(5000).default(500),
    timeout_ms: z.number().int().positive().default(30_000),
    ca_file: z.string().optional(),
  })
  .strict();

const first = (v: unknown): string | null => {
  const s = Array.isArray(v) ? v[0] : v;
  const t = s == null ? '' : Buffer.isBuffer(s) ? s.toString('utf8') : String(s);
  return t.trim() || null;
};

export const ldapConnector = defineConnector({
  name: 'ldap',
  kind: 'staff',
  config: ldapConfig,
  async *read(feed, config) {
    const map: Partial<Record<Field, string>> = { ...defaultMap, ...config.attributes };
    const client = new Client({
      url: config.url,
      timeout: config.timeout_ms,
      connectTimeout: config.timeout_ms,
      ...(config.ca_file ? { tlsOptions: { ca: readFileSync(config.ca_file) } } : {}),
    });
    let n = 0;
    try {
      if (config.bind_dn) await client.bind(config.bind_dn, config.password ?? '');
      const pages = client.searchPaginated(config.base, {
        scope: config.scope,
        filter: config.filter,
        attributes: Object.values(map) as string[],
        paged: { pageSize: config.page_size },
      });
      for await (const page of pages) {
        for (const entry of page.searchEntries) {
          n++;
          const get = (f: Field) => (map[f] ? first(entry[map[f]!]) : null);
          const [employeeNumber, givenName, familyName] = [get('employeeNumber'), get('givenName'), get('familyName')];
          const missing: Field | null = !employeeNumber
            ? 'employeeNumber'
            : !givenName
              ? 'givenName'
              : !familyName
                ? 'familyName'
                : null;
          if (missing) {
            yield {
              line: n,
              error: { column: 0, message: `${entry.dn}: no ${map[missing]}` },
              key: employeeNumber ?? undefined,
            } satisfies Item<StaffRecord>;
            continue;
          }
          const record: StaffRecord = {
            employeeNumber: employeeNumber!,
            givenName: givenName!,
            familyName: familyName!,
            orgCode: feed.orgCode ?? '', // a trust's directory rarely says which organisation: the run's
            preferredName: get('preferredName'),
            title: get('title'),
            department: get('department'),
            site: get('site'),
            telephone: get('telephone'),
            mobile: get('mobile'),
            email: get('email'),
            startDate: null,
            endDate: null,
            niNumber: null,
            dateOfBirth: null,
          };
          yield { line: n, record, columns: {} };
        }
      }
    } catch (err) {
      // Half a directory must never be read as "everyone else left": any failure rejects the run.
      throw new FeedRejected(`LDAP ${config.url}: ${(err as Error).message}`, n);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  },
});
