// One client cannot hold every HTTP connection (attacker's pass): past the cap per address, or in
// all, a new connection is closed at once with one warning, and others are still served.
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { limitConnections } from '../../src/http/limits.js';

t.test('connections past the cap are closed at once, with one warning', async (t) => {
  const lines: string[] = [];
  const log = pino(
    { level: 'warn' },
    new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    }),
  );
  const server = http.createServer((_req, res) => res.end('ok'));
  limitConnections(server, { maxConnections: 100, perAddress: 3, headersSeconds: 10, requestSeconds: 30 }, log);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise((r) => server.close(r)));
  const port = (server.address() as net.AddressInfo).port;
  const held: net.Socket[] = [];
  const open = async (host: string) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: host });
    await once(s, 'connect');
    s.write('GET / HTTP/1.1\r\nHost: x\r\n'); // headers never finished: what a slow client does
    held.push(s);
    return s;
  };
  t.teardown(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) await open('127.0.0.7');
  const fourth = await open('127.0.0.7');
  await once(fourth, 'close');
  t.pass('the fourth from one address is closed');
  const fifth = await open('127.0.0.7');
  await once(fifth, 'close');
  t.equal(lines.length, 1, 'one warning, not one per connection');
  t.match(lines[0], /HTTP connection refused: 3 from 127\.0\.0\.7 already open/);
  const res = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(await res.text(), 'ok', 'another address is served');
});
