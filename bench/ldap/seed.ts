// 100,000 generated people in 100 organisations, in PostgreSQL through set-based SQL, and the
// same entries as LDIF for slapd.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Database } from '../../src/db/client.js';
import { family, given } from './names.js';

export const PEOPLE = 100_000;

export async function seedPeople(db: Database, n = PEOPLE): Promise<void> {
  const [{ count }] = await db.query<{ count: number }>('select count(*)::int as count from people');
  if (count < n) await insertPeople(db, n);
  // What autovacuum does to a table soon after a load (and some servers, this machine's among
  // them, run with it off): statistics, and the visibility map without which an index-only scan
  // still reads every row from the table. Quick when there is nothing new.
  await db.query('vacuum analyze');
}

async function insertPeople(db: Database, n: number): Promise<void> {
  await db.query(`insert into organisations (code, name) select 'B' || lpad(i::text, 4, '0'), 'Bench NHS Trust ' || i from generate_series(1, 100) i on conflict do nothing`);
  await db.query(`
    with names as (select $1::text[] as g, $2::text[] as f)
    insert into people (uid, mail, given_name, family_name, cn, display_name, org_code, title, department, telephone, mobile)
    select lower(gn || '.' || fn) || i, lower(gn || '.' || fn) || i || '@nhs.net', gn, fn, gn || ' ' || fn,
      gn || ' ' || fn || ' (Bench NHS Trust ' || (1 + i % 100) || ')', 'B' || lpad((1 + i % 100)::text, 4, '0'),
      'Staff Nurse', 'Cardiology', '0113 ' || lpad((i % 1000)::text, 3, '0') || ' ' || lpad(i::text, 4, '0'), null
    from names, generate_series(1, $3::int) i,
      lateral (select g[1 + (i * 7) % array_length(g, 1)] as gn, f[1 + (i * 13 + i / 97) % array_length(f, 1)] as fn) x`,
  [given, family, n]);
  await db.query(`insert into addresses (address, person_id) select mail, id from people on conflict do nothing`);
  // One in ten has changed name once: an old address kept as an alias.
  await db.query(`insert into addresses (address, person_id, current) select 'former.' || mail, id, false from people where id % 10 = 0 on conflict do nothing`);
}

/** The same people for slapd: inetOrgPerson entries under ou=People,o=nhs. */
export async function writeLdif(db: Database, file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('dn: o=nhs\nobjectClass: organization\no: nhs\n\ndn: ou=People,o=nhs\nobjectClass: organizationalUnit\nou: People\n\n');
  for (let after = 0; ;) {
    const rows = await db.query<{ id: number; uid: string; mail: string; given_name: string; family_name: string; cn: string; display_name: string; title: string; telephone: string }>(
      'select id, uid, mail, given_name, family_name, cn, display_name, title, telephone from people where id > $1 order by id limit 5000', [after]);
    if (!rows.length) break;
    const text = rows.map((r) => `dn: uid=${r.uid},ou=People,o=nhs\nobjectClass: inetOrgPerson\nuid: ${r.uid}\ncn: ${r.cn}\nsn: ${r.family_name}\ngivenName: ${r.given_name}\ndisplayName: ${r.display_name}\nmail: ${r.mail}\ntitle: ${r.title}\ntelephoneNumber: ${r.telephone}\n\n`).join('');
    if (!out.write(text)) await once(out, 'drain');
    after = rows[rows.length - 1].id;
  }
  out.end();
  await once(out, 'finish');
}
