// A fresh, migrated database for each test file: PGlite from a cached migrated snapshot (a fresh
// PGlite costs ~5 s, a snapshot under 1 s), or a new database on the server in DATABASE_URL.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsFolder, openPglite, openPostgres, type Database } from '../../src/db/client.js';

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    if (f.endsWith('.sql') || f.endsWith('.json')) h.update(f).update(readFileSync(join(migrationsFolder, f)));
  }
  return h.digest('hex').slice(0, 16);
}

async function pgliteSnapshot(): Promise<Blob> {
  const file = join(tmpdir(), `nhsdir-test-${migrationsHash()}.tar`);
  if (!existsSync(file)) {
    const db = await openPglite({});
    await db.migrate();
    const dump = await db.dump();
    await db.close();
    // Test files run in parallel: write aside, then rename into place atomically.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
  }
  return new Blob([readFileSync(file)]);
}

export const usingPostgres = Boolean(process.env.DATABASE_URL);
export const engine = usingPostgres ? 'postgres' : 'pglite';

export async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) return openPglite({ loadDataDir: await pgliteSnapshot() });
  const name = `nhsdir_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openPostgres(target.toString());
  await db.migrate();
  const close = db.close;
  db.close = async () => {
    await close();
    const drop = new pg.Client({ connectionString: url });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await drop.end();
  };
  return db;
}
