// PostgreSQL 15 clusters of the tests' own (scripts/pg-cluster.ts), stopped and removed in
// t.teardown whatever happens; `nhsdir serve` nodes on them; and a TCP forwarder standing for the
// primary's address, which a failover points at a promoted standby.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Client } from 'ldapts';
import { openPostgres } from '../../src/db/client.js';
import { createDirectory } from '../../src/directory/directory.js';
import { startCluster as start, type Cluster, type ClusterOptions } from '../../scripts/pg-cluster.js';
import { freePort, run, type Running } from './process.js';

export { haveClusterBinaries, waitUntil, type Cluster, type Server } from '../../scripts/pg-cluster.js';

/** A primary and (unless `standby: false`) a streaming hot standby, gone when `t` ends. */
export async function startCluster(t: Test, opts: ClusterOptions = {}): Promise<Cluster> {
  const cluster = await start(opts);
  t.teardown(() => cluster.destroy());
  return cluster;
}

/**
 * The primary's address as clients know it (a virtual IP, a DNS name): a TCP forwarder on a port
 * of its own. `point` moves it to another server, cutting the connections it carried, as moving a
 * virtual IP does.
 */
export async function forwarder(
  t: Test,
  to: number,
): Promise<{ port: number; url(db?: string): string; point(port: number): void }> {
  const carried = new Set<Socket>();
  const srv = createServer((client) => {
    const upstream = connect(to, '127.0.0.1');
    const pair = [client, upstream];
    const end = () => {
      for (const s of pair) {
        s.destroy();
        carried.delete(s);
      }
    };
    for (const s of pair) {
      carried.add(s);
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  t.teardown(() => {
    for (const s of carried) s.destroy();
    srv.close();
  });
  return {
    port,
    url: (db = 'nhsdir') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    point(p) {
      to = p;
      for (const s of carried) s.destroy();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Reply = { status: number; body: any; headers: Headers };

/** One `nhsdir serve` process: its ports, a REST call and LDAP helpers, killed when `t` ends. */
export interface Node {
  name: string;
  http: string;
  ldapUrl: string;
  proc: Running;
  call(method: string, path: string, token?: string, body?: unknown): Promise<Reply>;
  token(username: string, password: string): Promise<string>;
  /** The result code of a simple bind (0: bound, 49: refused, 52: unavailable). */
  bind(name: string, password: string): Promise<number>;
  /** The `attrs` of each entry found under o=nhs, bound as `as`. */
  search(as: [string, string], filter: string, attrs: string[]): Promise<Record<string, unknown>[]>;
  /** SIGKILL: as if the machine were lost. */
  kill(): Promise<void>;
}

export const identifierKey = 'cluster-test-identifier-key-0123456789';

export async function startNode(t: Test, name: string, env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), `nhsdir-node-${name}-`));
  const httpPort = await freePort();
  const ldapPort = await freePort();
  const proc = run(['serve'], {
    DATA_DIR: dataDir,
    HTTP_PORT: String(httpPort),
    LDAP_PORT: String(ldapPort),
    IDENTIFIER_KEY: identifierKey,
    ADMIN_PASSWORD: 'admin-password-1',
    DEMO: 'false',
    ...env,
  });
  t.teardown(async () => {
    // A failed test shows what the node said.
    if (!t.passing()) t.comment(`node ${name}:\n${proc.output().slice(-6000)}`);
    if (proc.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  await proc.waitFor(/LDAP on ldap:/);
  await proc.waitFor(/REST API on http/);
  const http = `http://127.0.0.1:${httpPort}`;
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const node: Node = {
    name,
    http,
    ldapUrl,
    proc,
    async call(method, path, token, body) {
      const res = await fetch(http + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async token(username, password) {
      const r = await node.call('POST', '/api/v1/auth/token', undefined, { username, password });
      if (r.status !== 200)
        throw new Error(`no token for ${username} from ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      return (r.body as { access_token: string }).access_token;
    },
    async bind(who, password) {
      const client = new Client({ url: ldapUrl, timeout: 20_000, connectTimeout: 20_000 });
      try {
        await client.bind(who, password);
        return 0;
      } catch (err) {
        return (err as { code?: number }).code ?? -1;
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    async search([who, password], filter, attributes) {
      const client = new Client({ url: ldapUrl, timeout: 20_000, connectTimeout: 20_000 });
      try {
        await client.bind(who, password);
        const { searchEntries } = await client.search('o=nhs', { scope: 'sub', filter, attributes });
        return searchEntries;
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
  return node;
}

/** A directory core in the test process on `url` (for what no front end offers, such as role grants). */
export async function coreOn(t: Test, url: string) {
  const database = await openPostgres(url);
  const dir = createDirectory(database, {
    mailDomain: 'nhs.net',
    identifierKey,
    leaverRetentionDays: 30,
    lockoutAttempts: 3,
    lockoutMinutes: 15,
  });
  const unwatch = await dir.watchChanges();
  t.teardown(async () => {
    await unwatch?.();
    await database.close();
  });
  return { database, dir };
}

/**
 * What `get` answers once it answers `want`, or its last answer after `ms` (for the assertion to
 * show). For what another node learns through a notification: milliseconds, or a little more when
 * the machine is loaded; never a fixed sleep.
 */
export async function settle<T>(get: () => Promise<T>, want: T, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await get();
    if (got === want || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}
