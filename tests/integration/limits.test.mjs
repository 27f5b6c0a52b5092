// Slow-client protection and connection limits (issue 7): connections per client address, the
// minimum send rate for clients that stop reading, and the request-reading timeouts and size limits
// beyond what gateway.test.mjs covers (a header dripped byte by byte, a trickled body, a chunked body
// over the limit, the keep-alive idle timeout).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  startTiergate, startScriptedUpstream, openaiTierYaml, parseRawResponse, sleep, chunk, usageChunk,
} from '../lib/harness.mjs';

const chatBody = (content, extra = {}) =>
  JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], ...extra });

// A raw connection, optionally from another loopback address (127.0.0.0/8 is all loopback on
// Linux), so a test can be one client address while the test's other requests are another.
function connect(port, { localAddress } = {}) {
  return new Promise((res, rej) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    const conn = { socket: s, data: Buffer.alloc(0), closedAt: null };
    conn.closed = new Promise((r) => s.on('close', () => {
      conn.closedAt = Date.now();
      r();
    }));
    s.on('data', (d) => (conn.data = Buffer.concat([conn.data, d])));
    s.on('error', () => {});
    s.once('connect', () => res(conn));
    s.once('error', rej);
  });
}

async function metric(url, name) {
  const text = await (await fetch(url + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

async function waitFor(pred, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return true;
    await sleep(25);
  }
  return false;
}

function post(path = '/v1/chat/completions', body = chatBody('hi')) {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('connections per client address', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(openaiTierYaml(up.url) + `
limits:
  max_connections_per_ip: 3
`);
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('the connection over the limit gets a 429 and a close; other addresses are served; it recovers', async () => {
    const from = { localAddress: '127.0.0.2' };
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await connect(tg.port, from));
    // Each held connection is accepted before the next connect resolves its own accept; make sure.
    assert.ok(await waitFor(async () => (await metric(tg.url, 'tiergate_open_connections')) >= 4));

    const over = await connect(tg.port, from);
    await Promise.race([over.closed, sleep(3000)]);
    assert.ok(over.closedAt, 'the connection over the limit was not closed');
    const r = parseRawResponse(over.data.toString());
    assert.equal(r.status, 429);
    assert.match(r.head, /Retry-After: 1/);
    assert.match(r.head, /Connection: close/);
    assert.equal(JSON.parse(r.body).error.type, 'rate_limit_error');
    assert.equal(JSON.parse(r.body).error.code, 'rate_limited');

    // Another address is not affected (fetch connects from 127.0.0.1).
    assert.equal((await fetch(tg.url + '/healthz')).status, 200);
    const text = await (await fetch(tg.url + '/metrics')).text();
    assert.match(text, /tiergate_connections_refused_total\{limit="per_ip"\} 1\n/);

    // The held connections still work.
    held[0].socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await waitFor(() => held[0].data.toString().includes('200 OK')));

    // Closing one frees a place for the address.
    held[1].socket.destroy();
    let served = false;
    await waitFor(async () => {
      const c = await connect(tg.port, from);
      c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await Promise.race([c.closed, sleep(2000)]);
      served = parseRawResponse(c.data.toString()).status === 200;
      c.socket.destroy();
      return served;
    });
    assert.ok(served, 'the address did not recover after a connection closed');
    for (const c of held) c.socket.destroy();
    // Every connection of the address is uncounted once closed: a full set fits again.
    await sleep(200);
    const again = [];
    for (let i = 0; i < 3; i++) again.push(await connect(tg.port, from));
    for (const c of again) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await Promise.all(again.map((c) => Promise.race([c.closed, sleep(3000)])));
    for (const c of again) assert.equal(parseRawResponse(c.data.toString()).status, 200);
  });
});

describe('minimum send rate', () => {
  let up, tg;
  const upstreamClosed = new Map();  // request content -> time the upstream saw the close
  before(async () => {
    up = await startScriptedUpstream();
    // The upstream streams 4 KiB events as fast as it can until tiergate hangs up ('flood'), or a
    // fixed 600 KiB stream ('big'), or the usual short stream (anything else).
    up.handler = (req, rec, res) => {
      const what = rec.json?.messages?.[0]?.content;
      res.on('close', () => upstreamClosed.set(what, Date.now()));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      const piece = chunk({ content: 'x'.repeat(4096) });
      if (what === 'flood') {
        const pump = () => {
          while (!res.destroyed && res.write(piece)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      } else {
        const n = what === 'big' ? 150 : 2;
        for (let i = 0; i < n; i++) res.write(piece);
        res.write(chunk({}, 'stop'));
        res.write(usageChunk(7, n));
        res.end('data: [DONE]\n\n');
      }
    };
    tg = await startTiergate(openaiTierYaml(up.url) + `
limits:
  send_grace_ms: 800
  min_send_bytes_per_s: 65536
`);
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('a streaming client that stops reading is cut off, its upstream cancelled; others are served', async () => {
    const before = await metric(tg.url, 'tiergate_slow_readers_closed_total');
    const stalled = await connect(tg.port);
    stalled.socket.pause();  // never reads (Node reads at most its buffer's worth, then stops)
    const t0 = Date.now();
    stalled.socket.write(post('/v1/chat/completions', chatBody('flood', { stream: true })));

    // While it is stalled, another client gets a whole answer.
    await sleep(200);
    const ok = await fetch(tg.url + '/v1/chat/completions', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody('normal', { stream: true }),
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /\[DONE\]/);

    assert.ok(await waitFor(() => upstreamClosed.has('flood'), 10000), 'the upstream stream was not cancelled');
    const cutAfter = upstreamClosed.get('flood') - t0;
    assert.ok(cutAfter >= 700, `cut after ${cutAfter} ms, before the grace period`);
    assert.ok(cutAfter < 5000, `cut after ${cutAfter} ms`);
    assert.equal(await metric(tg.url, 'tiergate_slow_readers_closed_total'), before + 1);
    // The server closed the connection: a reading client now sees the end.
    stalled.socket.resume();
    await Promise.race([stalled.closed, sleep(3000)]);
    assert.ok(stalled.closedAt, 'the slow client\'s connection was left open');
    assert.ok(!stalled.data.toString().includes('[DONE]'));
    assert.equal((await fetch(tg.url + '/healthz')).status, 200);
  });

  test('a client that pauses for less than the grace period gets its whole stream', async () => {
    const before = await metric(tg.url, 'tiergate_slow_readers_closed_total');
    const c = await connect(tg.port);
    c.socket.pause();
    c.socket.write(post('/v1/chat/completions', chatBody('big', { stream: true })).replace('Host: x', 'Host: x\r\nConnection: close'));
    await sleep(400);  // the 600 KiB answer fills the socket buffers meanwhile
    c.socket.resume();
    await Promise.race([c.closed, sleep(5000)]);
    const text = c.data.toString();
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.match(text, /data: \[DONE\]/);
    assert.equal(await metric(tg.url, 'tiergate_slow_readers_closed_total'), before);
  });
});

describe('reading requests: timeouts and size limits', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(openaiTierYaml(up.url) + `
limits:
  header_timeout_ms: 600
  body_timeout_ms: 600
  idle_timeout_ms: 600
  max_body_bytes: 4096
`);
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('a request head dripped a byte at a time is cut at the header timeout (the timeout is for the whole head)', async () => {
    const c = await connect(tg.port);
    const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ' + 'a'.repeat(200);
    const t0 = Date.now();
    for (let i = 0; i < head.length && !c.closedAt; i++) {
      c.socket.write(head[i]);
      await sleep(20);
    }
    await Promise.race([c.closed, sleep(3000)]);
    assert.ok(c.closedAt, 'a dripping client was not cut off');
    assert.ok(c.closedAt - t0 < 2000, `cut after ${c.closedAt - t0} ms`);
    assert.equal(c.data.length, 0);
  });

  test('a body that trickles past body_timeout_ms is cut; the server stays up', async () => {
    const c = await connect(tg.port);
    const t0 = Date.now();
    c.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"mo');
    for (let i = 0; i < 100 && !c.closedAt; i++) {
      c.socket.write(' ');
      await sleep(30);
    }
    await Promise.race([c.closed, sleep(3000)]);
    assert.ok(c.closedAt, 'a trickling body was not cut off');
    assert.ok(c.closedAt - t0 < 2500, `cut after ${c.closedAt - t0} ms`);
    assert.equal((await fetch(tg.url + '/healthz')).status, 200);
  });

  test('a chunked body over max_body_bytes (no Content-Length) is a 413', async () => {
    const c = await connect(tg.port);
    const piece = 'y'.repeat(1000);
    let req = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (let i = 0; i < 6; i++) req += `${piece.length.toString(16)}\r\n${piece}\r\n`;
    c.socket.write(req + '0\r\n\r\n');
    await Promise.race([c.closed, sleep(3000)]);
    const r = parseRawResponse(c.data.toString());
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).error.code, 'payload_too_large');
  });

  test('a body just under the limit is read; an idle keep-alive connection is closed after idle_timeout_ms', async () => {
    const c = await connect(tg.port);
    const body = chatBody('z'.repeat(3500));
    assert.ok(Buffer.byteLength(body) < 4096);
    c.socket.write(post('/v1/chat/completions', body));
    assert.ok(await waitFor(() => /\r\n\r\n\{/.test(c.data.toString()), 3000));
    assert.equal(parseRawResponse(c.data.toString()).status, 200);
    const answeredAt = Date.now();
    await Promise.race([c.closed, sleep(3000)]);
    assert.ok(c.closedAt, 'the idle connection was not closed');
    const idle = c.closedAt - answeredAt;
    assert.ok(idle >= 400 && idle < 2000, `closed after ${idle} ms idle`);
  });
});

describe('shutdown', () => {
  test('SIGTERM with connections open (idle, mid-request, counted per address) exits cleanly', async () => {
    // Found by ASan: the per-connection bookkeeping outlived the Server when the event loops
    // destroyed the open sessions at shutdown. An instrumented binary exits non-zero on that.
    const up = await startScriptedUpstream();
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'never ends' }));
    };
    const tg = await startTiergate(openaiTierYaml(up.url) + `
limits:
  max_connections_per_ip: 8
`);
    const idle = [await connect(tg.port), await connect(tg.port, { localAddress: '127.0.0.3' })];
    const streaming = await connect(tg.port);
    streaming.socket.write(post('/v1/chat/completions', chatBody('hold', { stream: true })));
    assert.ok(await waitFor(() => streaming.data.toString().includes('never ends')));
    const r = await tg.stop();
    assert.deepEqual(r, { code: 0, signal: null });
    for (const c of [...idle, streaming]) c.socket.destroy();
    await up.close();
  });
});
