// `nhsdir restore --uid UID` as an operator runs it: a soft-deleted leaver comes back with their
// uid and address; an unknown uid, or someone not soft-deleted, is a one-line refusal.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openDatabase } from '../src/db/client.js';
import { createServerDatabase, usingPostgres } from './helpers/db.js';
import { staffCsv } from './helpers/feeds.js';
import { run } from './helpers/process.js';

t.test('nhsdir restore', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nhsdir-cli-restore-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    DATA_DIR: join(dir, 'data'),
    DEMO: 'false',
    SYNC_LEAVER_THRESHOLD: '1',
    IDENTIFIER_KEY: 'cli-test-identifier-key-0123456789abcdef',
  };
  if (usingPostgres) {
    const db = await createServerDatabase(process.env.DATABASE_URL!);
    t.teardown(db.drop);
    env.DATABASE_URL = db.url;
  }
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const nhsdir = async (...args: string[]) => {
    const r = run(args, env);
    return { code: await r.exited, out: r.output() };
  };
  await nhsdir(
    'sync',
    '--connector',
    'ods',
    '--file',
    file('orgs.csv', '"RXA","Alpha Hospitals NHS Trust","","","","","","","","","20200101","","A"\n'),
  );
  await nhsdir(
    'sync',
    '--connector',
    'csv',
    '--org',
    'RXA',
    '--file',
    file('two.csv', staffCsv('E1,Tom,Baker,,RXA,,,,,,,,,,', 'E2,Ann,Lee,,RXA,,,,,,,,,,')),
  );
  await nhsdir(
    'sync',
    '--connector',
    'csv',
    '--org',
    'RXA',
    '--file',
    file('one.csv', staffCsv('E2,Ann,Lee,,RXA,,,,,,,,,,')),
  );
  // The retention sweep's work, done here while no command holds the database.
  const db = await openDatabase({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: env.DATA_DIR });
  await db.query("update people set deleted_at = now() where uid = 'tom.baker'");
  await db.close();

  const restored = await nhsdir('restore', '--uid', 'tom.baker');
  t.equal(restored.code, 0, restored.out);
  t.match(restored.out, /restored tom\.baker \(tom\.baker@nhs\.net\), a leaver of RXA/);
  const again = await nhsdir('restore', '--uid', 'tom.baker');
  t.equal(again.code, 1);
  t.match(again.out, /^nhsdir: tom\.baker is not soft-deleted\n$/m, 'one line, no stack');
  const unknown = await nhsdir('restore', '--uid', 'no.one');
  t.equal(unknown.code, 1);
  t.match(unknown.out, /No person has the uid no\.one/);
  t.equal((await nhsdir('restore')).code, 2, 'usage without --uid');
});
