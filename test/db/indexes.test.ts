// The trigram indexes take each write's entries at once (migrations/0012_gin_no_pending_list.sql):
// with GIN's pending list the write that filled it moved the whole list into the index, tens of ms
// or more in the middle of an administrator's change. A substring search finds a joiner at once.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import type { Filter } from '../../src/model/filter.js';
import { testDirectory, withTwoOrgs } from '../helpers/directory.js';

t.test('trigram indexes have no pending list, and find a write at once', async (t) => {
  const { dir, database } = await testDirectory(t);
  const rows = (await database.query(
    `select c.relname, c.reloptions from pg_class c join pg_am a on a.oid = c.relam
     where a.amname = 'gin' and c.relname like '%trgm' order by c.relname`,
  )) as { relname: string; reloptions: string[] | null }[];
  t.same(
    rows.map((r) => r.relname),
    ['addresses_alias_trgm', 'people_cn_trgm', 'people_given_trgm', 'people_mail_trgm', 'people_sn_trgm'],
  );
  for (const r of rows) t.ok(r.reloptions?.includes('fastupdate=false'), `${r.relname}: ${r.reloptions}`);

  await withTwoOrgs(dir);
  const who = await dir.createJoiner(systemActor, { givenName: 'Quentin', familyName: 'Zanzibar', orgCode: 'RXA' });
  const sub: Filter = { attr: 'sn', op: 'sub', any: ['nzib'] };
  const found = await dir.searchPeople(systemActor, { filter: sub, kind: 'person', limit: 10 });
  t.same(
    found.map((p) => p.uid),
    [who.uid],
    'a substring of the new name',
  );
});
