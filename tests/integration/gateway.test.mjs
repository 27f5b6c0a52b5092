// The gateway against real local upstreams: nginx (HTTP and HTTPS) and a scripted Node server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startTiergate, startScriptedUpstream, startNginxUpstream, openaiTierYaml, rawRequest, NO_BREAKER,
  parseRawResponse, sleep, chunk, usageChunk, completionBody, streamBody, freePort, SOURCE_DIR,
} from '../lib/harness.mjs';

const chatBody = (extra = {}) =>
  JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hi' }], ...extra });

async function post(url, body, headers = {}) {
  const res = await fetch(url + '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function sseEvents(text) {
  return text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
}

describe('gateway with a scripted upstream', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(openaiTierYaml(up.url, `    timeouts: { first_byte_ms: 1500, idle_ms: 1500 }`, NO_BREAKER),
      { env: { TIERGATE_TEST_KEY: 'sk-test-123' } });
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('non-streaming: fields, headers, upstream model mapping and key', async () => {
    up.handler = null;
    up.requests.length = 0;
    const r = await post(tg.url, chatBody({ temperature: 0.2, max_tokens: 50, custom_field: { a: 1 } }));
    assert.equal(r.status, 200);
    const j = JSON.parse(r.text);
    assert.equal(j.object, 'chat.completion');
    assert.match(j.id, /^chatcmpl-/);
    assert.equal(typeof j.created, 'number');
    assert.equal(j.model, 'gpt-up');
    assert.equal(j.choices[0].message.role, 'assistant');
    assert.equal(j.choices[0].message.content, 'Hello from upstream');
    assert.equal(j.choices[0].finish_reason, 'stop');
    assert.deepEqual(j.usage, { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
    assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
    assert.equal(r.headers.get('x-tiergate-reason'), 'default');
    assert.ok(r.headers.get('x-tiergate-cost-usd'));
    const seen = up.requests.at(-1);
    assert.equal(seen.url, '/v1/chat/completions');
    assert.equal(seen.headers.authorization, 'Bearer sk-test-123');
    assert.equal(seen.json.model, 'gpt-up');
    assert.equal(seen.json.temperature, 0.2);
    assert.equal(seen.json.max_tokens, 50);
    assert.deepEqual(seen.json.custom_field, { a: 1 }, 'unknown fields pass through');
    assert.deepEqual(seen.json.messages, [{ role: 'user', content: 'Say hi' }]);
  });

  test('forcing a tier by name, and an unknown model is a 400', async () => {
    const ok = await post(tg.url, chatBody({ model: 'cloud' }));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-tiergate-reason'), 'forced');
    const bad = await post(tg.url, chatBody({ model: 'gpt-5-nope' }));
    assert.equal(bad.status, 400);
    const e = JSON.parse(bad.text).error;
    assert.equal(e.code, 'model_not_found');
    assert.equal(e.type, 'not_found_error');
    assert.match(e.message, /auto/);
  });

  test('streaming: events, usage when asked, [DONE] last', async () => {
    up.handler = null;
    const r = await post(tg.url, chatBody({ stream: true, stream_options: { include_usage: true } }));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/event-stream/);
    const ev = sseEvents(r.text);
    assert.equal(ev.at(-1), '[DONE]');
    const chunks = ev.slice(0, -1).map((e) => JSON.parse(e));
    const text = chunks.flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join('');
    assert.equal(text, 'Hello world');
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.id, chunks[0].id);
    }
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'stop');
    const usage = chunks.at(-1);
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage.completion_tokens, 3);
    // tiergate always asks the upstream for usage, whatever the client asked.
    assert.equal(up.requests.at(-1).json.stream_options.include_usage, true);
  });

  test('streaming without include_usage sends no usage chunk', async () => {
    up.handler = null;
    const r = await post(tg.url, chatBody({ stream: true }));
    const ev = sseEvents(r.text).slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(ev.every((c) => !c.usage));
  });

  test('streaming pass-through: each upstream event is forwarded before the next arrives', async () => {
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'first' }));
      setTimeout(() => {
        res.write(chunk({ content: ' second' }, 'stop'));
        res.end(usageChunk() + 'data: [DONE]\n\n');
      }, 700);
    };
    const t0 = Date.now();
    const res = await fetch(tg.url + '/v1/chat/completions', { method: 'POST', body: chatBody({ stream: true }) });
    const reader = res.body.getReader();
    const { value } = await reader.read();
    const firstAt = Date.now() - t0;
    assert.match(Buffer.from(value).toString(), /first/);
    assert.ok(firstAt < 500, `first event took ${firstAt} ms: buffered?`);
    let rest = '';
    for (;;) {
      const { value: v, done } = await reader.read();
      if (done) break;
      rest += Buffer.from(v).toString();
    }
    assert.match(rest, /second/);
    assert.match(rest, /\[DONE\]/);
  });

  test('client disconnect cancels the upstream request', async () => {
    let upstreamClosed = null;
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'tick' }));
      const iv = setInterval(() => res.write(chunk({ content: '.' })), 100);
      res.on('close', () => {
        clearInterval(iv);
        upstreamClosed = Date.now();
      });
    };
    const ac = new AbortController();
    const res = await fetch(tg.url + '/v1/chat/completions', {
      method: 'POST', body: chatBody({ stream: true }), signal: ac.signal,
    });
    const reader = res.body.getReader();
    await reader.read();
    const abortedAt = Date.now();
    ac.abort();
    for (let i = 0; i < 40 && upstreamClosed === null; i++) await sleep(50);
    assert.ok(upstreamClosed !== null, 'upstream connection was not closed');
    assert.ok(upstreamClosed - abortedAt < 1500);
  });

  test('client disconnect while waiting for the first byte cancels the upstream too', async () => {
    let upstreamClosed = false;
    up.handler = (req, rec, res) => {
      res.on('close', () => (upstreamClosed = true));  // never answers
    };
    const ac = new AbortController();
    const p = fetch(tg.url + '/v1/chat/completions', { method: 'POST', body: chatBody(), signal: ac.signal }).catch(() => {});
    await sleep(300);
    ac.abort();
    await p;
    for (let i = 0; i < 40 && !upstreamClosed; i++) await sleep(50);
    assert.ok(upstreamClosed, 'upstream request was not cancelled');
  });

  test('upstream 500 -> 502 with an error body; 429 -> 429 with Retry-After', async () => {
    up.handler = (req, rec, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"kaput"}}');
    };
    let r = await post(tg.url, chatBody());
    assert.equal(r.status, 502);
    let e = JSON.parse(r.text).error;
    assert.match(e.message, /500/);
    assert.equal(e.type, 'upstream_error');
    up.handler = (req, rec, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"error":{"message":"slow down"}}');
    };
    r = await post(tg.url, chatBody());
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.equal(JSON.parse(r.text).error.type, 'rate_limit_error');
  });

  test('upstream silent past first_byte_ms -> 504', async () => {
    up.handler = () => {};  // never answers
    const t0 = Date.now();
    const r = await post(tg.url, chatBody());
    assert.equal(r.status, 504);
    assert.equal(JSON.parse(r.text).error.code, 'upstream_timeout');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('reset before headers -> 502; reset mid-stream -> SSE error event, no [DONE]', async () => {
    up.handler = (req) => req.socket.destroy();
    let r = await post(tg.url, chatBody());
    assert.equal(r.status, 502);
    assert.ok(JSON.parse(r.text).error.message);
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'partial' }));
      setTimeout(() => req.socket.destroy(), 100);
    };
    r = await post(tg.url, chatBody({ stream: true }));
    assert.equal(r.status, 200);
    const ev = sseEvents(r.text);
    assert.ok(!ev.includes('[DONE]'), 'a cut stream must not end with [DONE]');
    const last = JSON.parse(ev.at(-1));
    assert.ok(last.error, 'last event is an error');
    assert.match(last.error.message, /mid-stream|ended/);
  });

  test('a stream that stalls past idle_ms ends with an SSE error event, not a hang', async () => {
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'start' }));  // then nothing, connection open
    };
    const t0 = Date.now();
    const r = await post(tg.url, chatBody({ stream: true }));
    const elapsed = Date.now() - t0;
    assert.equal(r.status, 200);
    const ev = sseEvents(r.text);
    assert.ok(!ev.includes('[DONE]'));
    const last = JSON.parse(ev.at(-1));
    assert.equal(last.error.code, 'upstream_timeout');
    assert.ok(elapsed >= 1400 && elapsed < 5000, `ended after ${elapsed} ms (idle_ms is 1500)`);
    const m = await (await fetch(tg.url + '/metrics')).text();
    assert.ok(Number(m.match(/tiergate_streams_broken_total (\d+)/)[1]) >= 1);
  });

  test('malformed SSE or JSON from the upstream is an error, not garbage', async () => {
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ this is not json');
    };
    const r = await post(tg.url, chatBody());
    assert.equal(r.status, 502);
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {not json}\n\n');
    };
    const s = await post(tg.url, chatBody({ stream: true }));
    assert.equal(s.status, 502, 'an error before any event still gets a status');
  });

  test('keep-alive: many requests reuse one client connection', async () => {
    up.handler = null;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set();
    for (let i = 0; i < 5; i++) {
      await new Promise((res, rej) => {
        const req = http.request(tg.url + '/v1/chat/completions', { method: 'POST', agent }, (r) => {
          sockets.add(r.socket.localPort);
          r.resume();
          r.on('end', res);
        });
        req.on('error', rej);
        req.end(chatBody());
      });
    }
    agent.destroy();
    assert.equal(sockets.size, 1);
  });

  test('a body that arrives after its head, in pieces, and two requests in one write', async () => {
    up.handler = null;
    const body = chatBody();
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const s = net.connect(tg.port, '127.0.0.1');
    await new Promise((r) => s.on('connect', r));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    const answers = (n) => got.split('HTTP/1.1 200 OK').length - 1 >= n && got.endsWith('}');
    const waitFor = async (n) => {
      for (let i = 0; i < 200 && !answers(n); i++) await sleep(25);
      assert.ok(answers(n), got);
    };
    s.write(head);
    await sleep(60);
    s.write(body.slice(0, 10));
    await sleep(60);
    s.write(body.slice(10));
    await waitFor(1);
    // Pipelined: the second request is already buffered when the first is answered.
    s.write(head + body + head + body);
    await waitFor(3);
    s.destroy();
    assert.equal(got.split('Hello from upstream').length - 1, 3);
  });

  test('Expect: 100-continue: a 100 before the body (plain and chunked), none for a body over the limit', async () => {
    up.handler = null;
    const body = chatBody();
    const ask = async (framing, bodyWire, lengthOverLimit = false) => {
      const s = net.connect(tg.port, '127.0.0.1');
      await new Promise((r) => s.on('connect', r));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Expect: 100-continue\r\n${framing}\r\n`);
      // The body is sent only once the 100 came: without it this waits in vain and fails.
      for (let i = 0; i < 200 && !got.includes('\r\n\r\n'); i++) await sleep(25);
      if (lengthOverLimit) {
        s.destroy();
        return got;
      }
      assert.ok(got.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), got);
      s.write(bodyWire);
      for (let i = 0; i < 200 && !got.includes('Hello from upstream'); i++) await sleep(25);
      s.destroy();
      return got;
    };
    const plain = await ask(`Content-Length: ${Buffer.byteLength(body)}\r\n`, body);
    assert.match(plain, /HTTP\/1\.1 200 OK[\s\S]*Hello from upstream/);
    const size = Buffer.byteLength(body).toString(16);
    const chunked = await ask('Transfer-Encoding: chunked\r\n', `${size}\r\n${body}\r\n0\r\n\r\n`);
    assert.match(chunked, /HTTP\/1\.1 200 OK[\s\S]*Hello from upstream/);
    const refused = await ask('Content-Length: 999999999\r\n', '', true);
    assert.ok(refused.startsWith('HTTP/1.1 413'), refused);
    assert.ok(!refused.includes('100 Continue'), refused);
  });

  test('an upstream answer whose body comes after its head, in pieces (length and chunked)', async () => {
    const full = JSON.stringify(completionBody('split answer'));
    for (const chunked of [false, true]) {
      up.handler = (req, record, res) => {
        const headers = { 'content-type': 'application/json' };
        if (!chunked) headers['content-length'] = Buffer.byteLength(full);
        res.writeHead(200, headers);
        res.flushHeaders();
        setTimeout(() => res.write(full.slice(0, 30)), 40);
        setTimeout(() => res.end(full.slice(30)), 80);
      };
      const r = await post(tg.url, chatBody());
      assert.equal(r.status, 200, r.text);
      assert.equal(JSON.parse(r.text).choices[0].message.content, 'split answer');
    }
    up.handler = null;
  });

  test('bad input: every case is a 4xx with an OpenAI error body, and the server stays up', async () => {
    const cases = [
      ['malformed JSON', '{"model": "auto", "messages": [', 400],
      ['empty body', '', 400],
      ['not an object', '[1,2]', 400],
      ['missing messages', '{"model":"auto"}', 400],
      ['missing model', '{"messages":[{"role":"user","content":"x"}]}', 400],
      ['messages wrong type', '{"model":"auto","messages":"hi"}', 400],
      ['empty messages', '{"model":"auto","messages":[]}', 400],
      ['bad role', '{"model":"auto","messages":[{"role":"wizard","content":"x"}]}', 400],
      ['temperature type', '{"model":"auto","messages":[{"role":"user","content":"x"}],"temperature":"hot"}', 400],
      ['temperature range', '{"model":"auto","messages":[{"role":"user","content":"x"}],"temperature":9}', 400],
      ['max_tokens zero', '{"model":"auto","messages":[{"role":"user","content":"x"}],"max_tokens":0}', 400],
      ['stream type', '{"model":"auto","messages":[{"role":"user","content":"x"}],"stream":"yes"}', 400],
      ['content type', '{"model":"auto","messages":[{"role":"user","content":42}]}', 400],
    ];
    for (const [name, body, status] of cases) {
      const r = await post(tg.url, body);
      assert.equal(r.status, status, name);
      const e = JSON.parse(r.text).error;
      assert.ok(e && typeof e.message === 'string' && e.type && e.code, `${name}: error body`);
    }
    // Invalid UTF-8 inside a JSON string.
    const bad = Buffer.concat([Buffer.from('{"model":"auto","messages":[{"role":"user","content":"'),
      Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('"}]}')]);
    const raw = await rawRequest(tg.port, Buffer.concat([Buffer.from(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bad.length}\r\nConnection: close\r\n\r\n`), bad]));
    const pr = parseRawResponse(raw);
    assert.equal(pr.status, 400);
    assert.match(pr.body, /UTF-8/);
    const health = await fetch(tg.url + '/healthz');
    assert.equal(health.status, 200);
  });

  test('oversized body -> 413; oversized headers -> 431; garbage -> 400; unknown path -> 404', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    let raw = await rawRequest(tg.port, `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`);
    assert.equal(parseRawResponse(raw).status, 413);
    assert.match(parseRawResponse(raw).body, /payload_too_large/);
    raw = await rawRequest(tg.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    assert.equal(parseRawResponse(raw).status, 431);
    raw = await rawRequest(tg.port, `THIS IS NOT HTTP\r\n\r\n`);
    assert.equal(parseRawResponse(raw).status, 400);
    const r = await fetch(tg.url + '/v2/nothing');
    assert.equal(r.status, 404);
    assert.ok((await r.json()).error);
    const m = await fetch(tg.url + '/v1/chat/completions');
    assert.equal(m.status, 405);
  });

  test('/v1/models, /healthz, /readyz, /metrics', async () => {
    const models = await (await fetch(tg.url + '/v1/models')).json();
    assert.equal(models.object, 'list');
    assert.deepEqual(models.data.map((m) => m.id), ['auto', 'cloud']);
    assert.equal(models.data[1].tier_model, 'gpt-up');
    assert.equal((await fetch(tg.url + '/healthz')).status, 200);
    const ready = await fetch(tg.url + '/readyz');
    assert.equal(ready.status, 200);
    assert.equal((await ready.json()).tiers.cloud, 'ready');
    const metrics = await (await fetch(tg.url + '/metrics')).text();
    assert.match(metrics, /# TYPE tiergate_requests_total counter/);
    const ok = Number(metrics.match(/tiergate_requests_total\{tier="cloud",outcome="ok"\} (\d+)/)[1]);
    assert.ok(ok >= 3);
    assert.match(metrics, /tiergate_time_to_first_token_seconds_bucket\{tier="cloud",le="\+Inf"\} \d+/);
    assert.match(metrics, /tiergate_open_connections \d+/);
  });

  test('the access log has one JSON line per request and never the prompt', async () => {
    // An ordinary phrase (a token-like marker would be caught by the privacy scanner instead).
    const words = ['purple', 'elephant', 'dances', 'quietly', 'under', 'seven', 'lanterns', 'tonight'];
    const secret = words.sort(() => Math.random() - 0.5).join(' ');
    up.handler = null;
    await post(tg.url, JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: secret }] }));
    await sleep(100);
    const lines = tg.accessLog();
    const last = lines.at(-1);
    assert.equal(last.status, 200);
    assert.equal(last.tier, 'cloud');
    assert.equal(last.prompt_tokens, 7);
    assert.ok(!tg.out.stdout.includes(secret) && !tg.out.stderr.includes(secret));
    assert.ok(!tg.out.stdout.includes('Say hi'));
  });
});

describe('timeouts and limits', () => {
  test('header timeout closes a slow client; body limit is configurable', async () => {
    const up = await startScriptedUpstream();
    const tg = await startTiergate(openaiTierYaml(up.url) + `
limits:
  header_timeout_ms: 300
  max_body_bytes: 2048
`);
    try {
      const t0 = Date.now();
      const raw = await rawRequest(tg.port, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
      assert.ok(Date.now() - t0 < 3000, 'slow client was not cut off');
      assert.equal(raw, '');
      const r = await post(tg.url, chatBody({ pad: 'y'.repeat(4000) }));
      assert.equal(r.status, 413);
    } finally {
      await tg.stop();
      await up.close();
    }
  });
});

describe('gateway with nginx as a real upstream', () => {
  let ngx;
  before(async () => (ngx = await startNginxUpstream()));
  after(async () => ngx?.stop());

  test('HTTP: non-streaming and streaming', async () => {
    const tg = await startTiergate(openaiTierYaml(ngx.httpUrl + '/v1'));
    const tg2 = await startTiergate(openaiTierYaml(ngx.httpUrl + '/sse/v1'));
    try {
      const r = await post(tg.url, chatBody());
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.text).choices[0].message.content, 'Hello from nginx');
      const s = await post(tg2.url, chatBody({ stream: true }));
      const text = sseEvents(s.text).slice(0, -1).map((e) => JSON.parse(e))
        .flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join('');
      assert.equal(text, 'Hello from nginx');
    } finally {
      await tg.stop();
      await tg2.stop();
    }
  });

  test('HTTPS: verified with the right CA; refused without it; off only when configured', async () => {
    const good = await startTiergate(openaiTierYaml(ngx.httpsUrl + '/v1', `    tls: { ca_file: "${ngx.ca}" }`));
    const strict = await startTiergate(openaiTierYaml(ngx.httpsUrl + '/v1'));
    const lax = await startTiergate(openaiTierYaml(ngx.httpsUrl + '/v1', `    tls: { verify: false }`));
    const wrongName = await startTiergate(openaiTierYaml(ngx.httpsUrl.replace('localhost', '127.0.0.2') + '/v1', `    tls: { ca_file: "${ngx.ca}" }`));
    try {
      const r = await post(good.url, chatBody());
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.text).choices[0].message.content, 'Hello from nginx');
      const s = await post(strict.url, chatBody());
      assert.equal(s.status, 502);
      assert.match(JSON.parse(s.text).error.message, /TLS|certificate|handshake/i);
      const l = await post(lax.url, chatBody());
      assert.equal(l.status, 200);
      assert.match(lax.out.stderr, /verification is OFF/);
      const w = await post(wrongName.url, chatBody());
      assert.equal(w.status, 502, 'a certificate for another host name must be refused');
    } finally {
      await Promise.all([good.stop(), strict.stop(), lax.stop(), wrongName.stop()]);
    }
  });

  test('pooled connections the upstream closed while idle are not used: no error after a pause', async () => {
    // This nginx closes keep-alive connections idle for 1 s (servers and load balancers do, after
    // 5 to 75 s). Requests at once leave several connections in the pool, plain and TLS.
    const plain = await startTiergate(openaiTierYaml(ngx.httpUrl + '/v1'));
    const tls = await startTiergate(openaiTierYaml(ngx.httpsUrl + '/v1', `    tls: { ca_file: "${ngx.ca}" }`));
    try {
      const burst = async () => {
        const rs = await Promise.all([plain, tls].flatMap((tg) => [1, 2, 3, 4].map(() => post(tg.url, chatBody()))));
        for (const r of rs) assert.equal(r.status, 200, r.text);
      };
      await burst();
      await sleep(1600);  // every pooled connection is closed by now
      await burst();
      for (const tg of [plain, tls]) {
        const m = await (await fetch(tg.url + '/metrics')).text();
        assert.match(m, /tiergate_requests_total\{tier="cloud",outcome="error"\} 0\n/);
        assert.match(m, /tiergate_requests_total\{tier="cloud",outcome="ok"\} 8\n/);
      }
    } finally {
      await Promise.all([plain.stop(), tls.stop()]);
    }
  });

  test('upstream refusing connections -> 502 with an error body', async () => {
    const port = await freePort();
    const tg = await startTiergate(openaiTierYaml(`http://127.0.0.1:${port}/v1`));
    try {
      const r = await post(tg.url, chatBody());
      assert.equal(r.status, 502);
      assert.match(JSON.parse(r.text).error.message, /connect/);
    } finally {
      await tg.stop();
    }
  });
});

describe('configuration', () => {
  test('the minimal config from the README starts as written', async () => {
    const yaml = readFileSync(join(SOURCE_DIR, 'configs/minimal.yaml'), 'utf8');
    const tg = await startTiergate(yaml);
    try {
      const models = await (await fetch(tg.url + '/v1/models')).json();
      assert.deepEqual(models.data.map((m) => m.id), ['auto', 'cloud']);
    } finally {
      await tg.stop();
    }
  });

  test('bad keys fail start-up with messages naming each key', async () => {
    const r = await startTiergate(`
listen: "127.0.0.1:8080"
tiers:
  - name: cloud
    kind: openai
    base_url: "ftp://nowhere"
    modle: "typo"
    timeouts: { connect_ms: -5 }
  - name: edge
    kind: warp-drive
routing:
  default_tier: moon
bogus: 1
`, { expectFailure: true });
    assert.equal(r.code, 2);
    for (const key of ['tiers[0].base_url', 'tiers[0].modle', 'tiers[0].timeouts.connect_ms',
      'tiers[1].kind', 'routing.default_tier', 'bogus', 'tiers[0].model'])
      assert.ok(r.stderr.includes(key), `message names ${key}:\n${r.stderr}`);
  });
});
