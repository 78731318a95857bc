// Generated people in PostgreSQL through set-based SQL, and the same entries as LDIF for slapd.
// A database per data set is made once and kept on the server between runs; it is made again only
// when what this file generates changes (SEED_VERSION) or the size asked for does.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import pg from 'pg';
import { openPostgres, type Database } from '../../src/db/client.js';
import { hashPassword } from '../../src/directory/secrets.js';
import { allGiven, family, moreFamily } from './names.js';

export const PEOPLE = 100_000;
/** The password every bench person who has one shares (one scrypt hash, computed once a seed). */
export const BENCH_PASSWORD = 'bench-Password-1';
// 2: 201 given and about 6,300 family names (was 72 and 92), passwords, organisations as asked.
const SEED_VERSION = 2;
// Bench organisations' codes: B0001 ... B9999 (BIG, bench/http's download, is not one of them).
const BENCH_ORG = `org_code ~ '^B[0-9]+$'`;

export interface Dataset {
  label: string;
  database: string;
  people: number;
  orgs: number;
}

/** The data set a command line asks for: --smoke, --national (both: a small national), or BENCH_PEOPLE. */
export function chooseDataset(argv = process.argv, env = process.env): Dataset {
  const smoke = argv.includes('--smoke'),
    national = argv.includes('--national');
  if (env.BENCH_PEOPLE) {
    const people = Number(env.BENCH_PEOPLE);
    const orgs = Number(env.BENCH_ORGS ?? (people >= 1_000_000 ? 7_000 : 100));
    if (people === 1_500_000 && orgs === 7_000) {
      return { label: 'national', database: 'nhsdir_bench_national', people, orgs };
    }
    if (people === PEOPLE && orgs === 100) return { label: 'default', database: 'nhsdir_bench', people, orgs };
    return { label: `${people} people`, database: `nhsdir_bench_${people}_${orgs}`, people, orgs };
  }
  if (national) {
    return smoke
      ? { label: 'national (smoke)', database: 'nhsdir_bench_national_smoke', people: 20_000, orgs: 700 }
      : { label: 'national', database: 'nhsdir_bench_national', people: 1_500_000, orgs: 7_000 };
  }
  return smoke
    ? { label: 'smoke', database: 'nhsdir_bench_smoke', people: 2_000, orgs: 100 }
    : { label: 'default', database: 'nhsdir_bench', people: PEOPLE, orgs: 100 };
}

const withDatabase = (server: string, name: string) => {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
};

async function seedStamp(url: string): Promise<{ version: number; people: number; orgs: number } | null> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query('select version, people, orgs from bench_seed');
    return rows[0] ?? null;
  } catch {
    return null;
  } finally {
    await c.end();
  }
}

/**
 * The data set's database, migrated and seeded (once), statistics and visibility map up to date, and
 * no bench person left locked by an earlier run.
 */
export async function openDataset(
  server: string,
  ds: Dataset,
): Promise<{ url: string; db: Database; seededNow: boolean }> {
  if (ds.orgs > 9_999) throw new Error('at most 9,999 bench organisations (codes B0001 to B9999)');
  const url = withDatabase(server, ds.database);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    if ((await admin.query('select 1 from pg_database where datname = $1', [ds.database])).rowCount) {
      const stamp = await seedStamp(url);
      if (stamp && (stamp.version !== SEED_VERSION || stamp.people !== ds.people || stamp.orgs !== ds.orgs)) {
        console.error(`${ds.database} holds another data set (${JSON.stringify(stamp)}): making it again`);
        await admin.query(`drop database ${ds.database} with (force)`);
      } else if (!stamp) {
        // Seeded by the code before SEED_VERSION, or a seed that never finished: start clean.
        console.error(`${ds.database} has no seed of this version: making it again`);
        await admin.query(`drop database ${ds.database} with (force)`);
      }
    }
    if (!(await admin.query('select 1 from pg_database where datname = $1', [ds.database])).rowCount) {
      await admin.query(`create database ${ds.database}`);
    }
  } finally {
    await admin.end();
  }
  const db = await openPostgres(url);
  await db.migrate();
  let seededNow = false;
  if (!(await seedStamp(url))) {
    const t0 = Date.now();
    console.error(
      `seeding ${ds.people.toLocaleString('en-GB')} people in ${ds.orgs.toLocaleString('en-GB')} ` +
        'organisations (once)...',
    );
    await seed(url, ds);
    console.error(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    seededNow = true;
  }
  await db.query(`update people set failed_attempts = 0, locked_until = null
    where password_hash is not null and (failed_attempts <> 0 or locked_until is not null)`);
  // A bench person whose password an earlier run changed (bench:http signs one in to the web pages)
  // gets the bench password back: the load generators bind every one of them with it.
  await db.query(`with bench as (select password_hash from people where password_hash is not null and ${BENCH_ORG}
      group by password_hash order by count(*) desc limit 1)
    update people set password_hash = bench.password_hash from bench
    where people.password_hash is not null and people.password_hash <> bench.password_hash and ${BENCH_ORG}`);
  // What autovacuum does to a table soon after a load (and some servers, this machine's among
  // them, run with it off): statistics, and the visibility map without which an index-only scan
  // still reads every row from the table. Quick when there is nothing new.
  await db.query('vacuum analyze');
  return { url, db, seededNow };
}

/** One transaction: the people and their addresses inserted set-based, their indexes built after. */
async function seed(url: string, ds: Dataset): Promise<void> {
  // A few thousand people get a password (all the same one: scrypt once, the hash string reused).
  const withPassword = Math.min(4_000, Math.floor(ds.people / 10));
  const step = Math.max(1, Math.floor(ds.people / withPassword));
  const hash = await hashPassword(BENCH_PASSWORD);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(`set local maintenance_work_mem = '1GB'`);
    await c.query('set local synchronous_commit = off');
    // Building an index once over the loaded rows is many times faster than keeping some twenty of
    // them (four trigram) up to date row by row, as a restore does; indexes behind a constraint stay.
    const { rows: indexes } = await c.query<{ name: string; def: string }>(`
      select i.relname as name, pg_get_indexdef(i.oid) as def from pg_index x
      join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      where t.relname in ('people', 'addresses') and t.relnamespace = 'public'::regnamespace
        and not exists (select 1 from pg_constraint k where k.conindid = i.oid)`);
    for (const i of indexes) await c.query(`drop index ${i.name}`);
    await c.query(
      `insert into organisations (code, name) select 'B' || lpad(i::text, 4, '0'), 'Bench NHS Trust ' || i
      from generate_series(1, $1::int) i on conflict do nothing`,
      [ds.orgs],
    );
    // Two people in three have one of the common family names, the rest one of the many others.
    await c.query(
      `
      with names as (select $1::text[] as g, $2::text[] as f, $3::text[] as f2)
      insert into people (uid, mail, given_name, family_name, cn, display_name, org_code, title, department,
        telephone, mobile, password_hash)
      select lower(gn || '.' || fn) || i, lower(gn || '.' || fn) || i || '@nhs.net', gn, fn, gn || ' ' || fn,
        gn || ' ' || fn || ' (Bench NHS Trust ' || (1 + i % $5) || ')', 'B' || lpad((1 + i % $5)::text, 4, '0'),
        'Staff Nurse', 'Cardiology',
        '0113 ' || lpad((i % 1000)::text, 3, '0') || ' ' || lpad((i % 10000)::text, 4, '0'), null,
        case when i % $6 = 0 then $7 end
      from names, generate_series(1, $4::int) i,
        lateral (select g[1 + (i * 7) % array_length(g, 1)] as gn,
          case when i % 3 = 0 then f2[1 + (i * 13 + i / 97) % array_length(f2, 1)]
            else f[1 + (i * 13 + i / 97) % array_length(f, 1)] end as fn) x`,
      [allGiven, family, moreFamily, ds.people, ds.orgs, step, hash],
    );
    await c.query('insert into addresses (address, person_id) select mail, id from people on conflict do nothing');
    // One in ten has changed name once: an old address kept as an alias.
    await c.query(`insert into addresses (address, person_id, current)
      select 'former.' || mail, id, false from people where id % 10 = 0 on conflict do nothing`);
    for (const i of indexes) await c.query(i.def);
    await c.query(`create table bench_seed (version int not null, people int not null, orgs int not null,
      seeded_at timestamptz not null default now())`);
    await c.query('insert into bench_seed (version, people, orgs) values ($1, $2, $3)', [
      SEED_VERSION,
      ds.people,
      ds.orgs,
    ]);
    await c.query('commit');
  } catch (err) {
    await c.query('rollback').catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
}

/** slapd's `{SSHA}`: SHA-1 over the password and a salt, then base64 of the digest and the salt. */
export function ssha(password: string, salt = randomBytes(8)): string {
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

/** The same people for slapd: inetOrgPerson entries under ou=People,o=nhs, bench passwords as {SSHA}. */
export async function writeLdif(db: Database, file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(
    'dn: o=nhs\nobjectClass: organization\no: nhs\n\n' +
      'dn: ou=People,o=nhs\nobjectClass: organizationalUnit\nou: People\n\n',
  );
  for (let after = 0; ;) {
    const rows = await db.query<{
      id: number;
      uid: string;
      mail: string;
      given_name: string;
      family_name: string;
      cn: string;
      display_name: string;
      title: string;
      telephone: string;
      has_password: boolean;
    }>(
      `select id, uid, mail, given_name, family_name, cn, display_name, title, telephone,
        (password_hash is not null and ${BENCH_ORG}) as has_password
      from people where id > $1 order by id limit 5000`,
      [after],
    );
    if (!rows.length) break;
    const text = rows
      .map(
        (r) =>
          `dn: uid=${r.uid},ou=People,o=nhs\nobjectClass: inetOrgPerson\nuid: ${r.uid}\n` +
          `cn: ${r.cn}\nsn: ${r.family_name}\ngivenName: ${r.given_name}\ndisplayName: ${r.display_name}\n` +
          `mail: ${r.mail}\ntitle: ${r.title}\ntelephoneNumber: ${r.telephone}\n` +
          `${r.has_password ? `userPassword: ${ssha(BENCH_PASSWORD)}\n` : ''}\n`,
      )
      .join('');
    if (!out.write(text)) await once(out, 'drain');
    after = rows[rows.length - 1].id;
  }
  out.end();
  await once(out, 'finish');
}

/**
 * The LDIF of the data set, written again only when the people in the database are not those it
 * was written from (a new seed, or bench/http's download organisation added): at 1,500,000
 * people writing it, and slapadd after it, take minutes.
 */
export async function ldifFor(db: Database, file: string): Promise<string> {
  const [s] = await db.query<{ stamp: string }>(
    `select (select version || ' ' || seeded_at::text from bench_seed) || ' ' || (select count(*) from people)
      as stamp`,
  );
  const stampFile = `${file}.stamp`;
  if (!existsSync(file) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== s.stamp) {
    const t0 = Date.now();
    console.error('writing the LDIF for slapd...');
    await writeLdif(db, file);
    writeFileSync(stampFile, s.stamp);
    console.error(`LDIF written in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  return file;
}

/** Bench people with a password, as bind DNs: a warm pool bound again and again, and the rest. */
export async function benchPeople(db: Database, poolSize: number) {
  const rows = await db.query<{ uid: string }>(
    `select uid from people where password_hash is not null and ${BENCH_ORG} and kind = 'person' order by id`,
  );
  const dns = rows.map((r) => `uid=${r.uid},ou=People,o=nhs`);
  return { pool: dns.slice(0, poolSize), fresh: dns.slice(poolSize), password: BENCH_PASSWORD };
}

/**
 * What mail-client users type, cut from the names of 5,000 people drawn across the directory:
 * 2-4 letter prefixes of their given and family names (as often as the names occur), their whole
 * addresses, and their uids for the writer.
 */
export async function sampleQueries(db: Database) {
  const rows = await db.query<{ given_name: string; family_name: string; mail: string; uid: string }>(
    `select given_name, family_name, mail, uid from people
    where ${BENCH_ORG} and kind = 'person' and status = 'active' and deleted_at is null
    order by md5(id::text) limit 5000`,
  );
  const prefixes = rows.flatMap((r) =>
    [2, 3, 4].flatMap((k) => [r.given_name.slice(0, k).toLowerCase(), r.family_name.slice(0, k).toLowerCase()]),
  );
  return {
    prefixes,
    addresses: rows.map((r) => r.mail),
    uids: rows.map((r) => r.uid),
    distinctNames: new Set(rows.map((r) => `${r.given_name} ${r.family_name}`)).size,
    distinctPrefixes: new Set(prefixes).size,
  };
}
