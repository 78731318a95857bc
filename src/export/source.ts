// The people and listed mailboxes of one organisation, read in keyset batches so that memory
// stays flat however large the organisation is.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';

export interface BookEntry {
  id: number;
  kind: 'person' | 'mailbox';
  uid: string;
  mail: string;
  given_name: string | null;
  family_name: string;
  cn: string;
  display_name: string;
  org_code: string;
  org_name: string;
  title: string | null;
  department: string | null;
  site: string | null;
  telephone: string | null;
  mobile: string | null;
  entry_uuid: string;
}

export async function* addressBook(database: Database, orgCode: string, batch = 1000): AsyncGenerator<BookEntry> {
  for (let after = 0; ;) {
    const rows = await database.select<BookEntry>(sql`
      select p.id, p.kind, p.uid, p.mail, p.given_name, p.family_name, p.cn, p.display_name, p.org_code, o.name as org_name,
        p.title, p.department, p.site, p.telephone, p.mobile, p.entry_uuid
      from people p join organisations o on o.code = p.org_code
      where p.org_code = ${orgCode} and p.status = 'active' and p.deleted_at is null and (p.kind = 'person' or p.listed) and p.id > ${after}
      order by p.id limit ${batch}`);
    for (const row of rows) yield row;
    if (rows.length < batch) return;
    after = Number(rows[rows.length - 1].id);
  }
}
