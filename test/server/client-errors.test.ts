// What the HTTP server answers for requests it cannot read (before any route sees them): JSON in
// the API's shape, with Node's status, and nothing of what was sent.
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { guardHttpServer } from '../../server/client-errors.ts';

const server = createServer((_req, res) => res.end('ok'));
guardHttpServer(server);

test.before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
test.after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The status and body the server sends back for `data` written raw, until it closes the connection. */
function exchange(data: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve) => {
    let got = '';
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.write(data));
    socket.on('data', (d) => (got += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const [head, body = ''] = got.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), type: /content-type: ([^\r]+)/i.exec(head)?.[1], body });
    });
  });
}

test('a request that is not valid HTTP is answered 400 in JSON', async () => {
  const r = await exchange('GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n');
  assert.equal(r, { status: 400, type: 'application/json', body: '{"detail":"The request is not valid HTTP"}' });
  assert.equal(await exchange('NOT HTTP AT ALL\r\n\r\n'), r);
});

test('headers past the limit are answered 431 in JSON, without what they held', async () => {
  const r = await exchange(`GET / HTTP/1.1\r\nHost: x\r\nX-Secret: ${'s'.repeat(100_000)}\r\n\r\n`);
  assert.equal(r, { status: 431, type: 'application/json', body: '{"detail":"The request\'s headers are too large"}' });
});

test('a good request on the same server is answered as usual', async () => {
  const r = await exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal([r.status, r.body], [200, 'ok']);
});

test.run();
