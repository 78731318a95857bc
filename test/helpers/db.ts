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

async function onServer(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the DATABASE_URL server: its URL, and how to drop it. */
export async function createServerDatabase(serverUrl: string) {
  const name = `nhsdir_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function openTestDatabase(): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return openPglite({ loadDataDir: await pgliteSnapshot() });
  const created = await createServerDatabase(serverUrl);
  const db = await openPostgres(created.url);
  await db.migrate();
  const close = db.close;
  db.close = async () => {
    await close();
    await created.drop();
  };
  return db;
}
