// `nhsdir sync` as an operator runs it: real files, the report on standard output, exit statuses,
// and a run killed half-way (SIGKILL) that leaves the directory exactly as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createServerDatabase, usingPostgres } from '../helpers/db.js';
import { staffCsv } from '../helpers/feeds.js';
import { run } from '../helpers/process.js';

t.test('nhsdir sync: organisation and staff feeds, reports, exit statuses, a killed run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-cli-sync-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    DATA_DIR: join(dir, 'data'),
    DEMO: 'false',
    IDENTIFIER_KEY: 'cli-test-identifier-key-0123456789abcdef',
  };
  if (usingPostgres) {
    const db = await createServerDatabase(process.env.DATABASE_URL!);
    t.teardown(db.drop);
    env.DATABASE_URL = db.url;
  }
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const nhsdir = async (...args: string[]) => {
    const r = run(args, env);
    const code = await r.exited;
    return { code, out: r.output() };
  };

  const orgs = await nhsdir(
    'sync',
    '--connector',
    'ods',
    '--file',
    file('orgs.csv', '"RXA","Alpha Hospitals NHS Trust","","","","","","","","","20200101","","A"\n'),
  );
  t.equal(orgs.code, 0, orgs.out);
  t.match(orgs.out, /sync run \d+ \(ods\): applied\n {2}1 rows: 1 joiners/);

  const ten = Array.from({ length: 10 }, (_, i) => `E${i},Cli,Person${String.fromCharCode(97 + i)},,RXA,,,,,,,,,,`);
  const applied = await nhsdir(
    'sync',
    '--connector',
    'csv',
    '--org',
    'RXA',
    '--file',
    file('ten.csv', staffCsv(...ten)),
    '--json',
  );
  t.equal(applied.code, 0, applied.out);
  const report = JSON.parse(applied.out.slice(applied.out.indexOf('{')));
  t.match(report, { connector: 'csv', org_code: 'RXA', status: 'applied', counts: { joiners: 10 } });

  const held = await nhsdir(
    'sync',
    '--connector',
    'csv',
    '--org',
    'RXA',
    '--file',
    file('five.csv', staffCsv(...ten.slice(0, 5))),
  );
  t.equal(held.code, 3, 'held: exit status 3');
  t.match(held.out, /held: 5 of 10 people \(50\.0%\) would become leavers/);
  const rejected = await nhsdir(
    'sync',
    '--connector',
    'csv',
    '--org',
    'RXA',
    '--file',
    file('bad.csv', 'not,a,staff,file\n'),
  );
  t.equal(rejected.code, 1, 'rejected: exit status 1');
  t.match(rejected.out, /rejected[\s\S]*lacks the columns employee_number, given_name, family_name, org_code/);
  t.equal(
    (await nhsdir('sync', '--connector', 'sap', '--org', 'RXA', '--file', join(dir, 'ten.csv'))).code,
    1,
    'an unknown connector',
  );
  t.equal(
    (await nhsdir('sync', '--connector', 'csv', '--org', 'RXA', '--file', join(dir, 'missing.csv'))).code,
    2,
    'a missing file',
  );

  const book = async () => (await nhsdir('export', '--org', 'RXA', '--format', 'csv')).out;
  const before = await book();
  t.equal(before.trim().split('\n').length, 11, 'ten people in the address book');
  // A big first load, killed once it is applying: nothing of it may remain.
  const many = Array.from({ length: 20_000 }, (_, i) => `K${i},Killed,Run${i},,RXA,,,,,,,,,,`);
  const big = file('big.csv', staffCsv(...ten, ...many));
  const killed = run(['sync', '--connector', 'csv', '--org', 'RXA', '--file', big, '--progress'], env);
  await killed.waitFor(/applying/);
  await new Promise((r) => setTimeout(r, 300));
  killed.child.kill('SIGKILL');
  t.equal(await killed.exited, null, 'killed');
  t.notMatch(killed.output(), /sync run \d+/, 'it never finished');
  t.equal(await book(), before, 'the directory is exactly as before');
  const again = await nhsdir('sync', '--connector', 'csv', '--org', 'RXA', '--file', join(dir, 'ten.csv'));
  t.match(again.out, /0 joiners, 0 movers, 0 leavers, 0 updated, 10 unchanged/, 'and works on');
});
