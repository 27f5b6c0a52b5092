// Test harness: runs the real tiergate binary, real nginx, and a scripted upstream on loopback.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import http from 'node:http';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.TIERGATE_SOURCE_DIR ?? resolve(here, '../..');
export const BIN = process.env.TIERGATE_BIN ?? join(SOURCE_DIR, 'build/tiergate');

export function tempDir(prefix = 'tiergate-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// Starts `tiergate serve` with the given YAML on a free port. Resolves once it listens.
export async function startTiergate(yaml, { env = {}, args = [], expectFailure = false } = {}) {
  const dir = tempDir();
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, yaml);
  const listen = args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  const proc = spawn(BIN, ['serve', '-c', configPath, ...listen, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (d) => (out.stdout += d));
  proc.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  if (expectFailure) {
    const r = await Promise.race([exited, sleep(15000).then(() => ({ timeout: true }))]);
    if (r.timeout) proc.kill('SIGKILL');
    return { ...r, ...out };
  }
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('tiergate did not start:\n' + out.stderr)), 30000);
    const check = () => {
      const m = out.stderr.match(/tiergate: listening on [^\s]+:(\d+)/);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    };
    proc.stderr.on('data', check);
    exited.then((r) => rej(new Error(`tiergate exited (${r.code}):\n${out.stderr}`)));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    out,
    exited,
    accessLog() {
      return out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`tiergate died early (${proc.exitCode ?? proc.signalCode}):\n${out.stderr}`);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(5000).then(() => null)]);
      if (!r) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error('tiergate did not stop on SIGTERM within 5 s');
      }
      return r;
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A scripted OpenAI-compatible upstream. Each test sets `upstream.handler = (req, body, res) => …`.
// Records every request (method, url, headers, body) in `upstream.requests`.
export async function startScriptedUpstream() {
  const state = { requests: [], handler: null, sockets: new Set() };
  const server = http.createServer((req, res) => {
    let chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record = { method: req.method, url: req.url, headers: req.headers, body };
      try {
        record.json = JSON.parse(body);
      } catch {}
      state.requests.push(record);
      (state.handler ?? defaultHandler)(req, record, res);
    });
  });
  server.keepAliveTimeout = 30000;
  server.on('connection', (s) => {
    state.sockets.add(s);
    s.on('close', () => state.sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.port = server.address().port;
  state.url = `http://127.0.0.1:${state.port}/v1`;
  state.server = server;
  state.close = () =>
    new Promise((r) => {
      for (const s of state.sockets) s.destroy();
      server.close(r);
    });
  return state;
}

export function completionBody(content = 'Hello from upstream', { model = 'up-model', usage } = {}) {
  return {
    id: 'chatcmpl-up',
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: usage ?? { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
  };
}

// One SSE `data:` frame of a chat.completion.chunk from the scripted upstream.
function sseChunk(fields) {
  return 'data: ' + JSON.stringify({
    id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1700000000, model: 'up-model', ...fields,
  }) + '\n\n';
}

export function chunk(delta, finish = null, extra = {}) {
  return sseChunk({ choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra });
}

export function usageChunk(prompt = 7, completion = 3) {
  return sseChunk({
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
}

export function streamBody(pieces = ['Hel', 'lo', ' world']) {
  let s = chunk({ role: 'assistant', content: '' });
  for (const p of pieces) s += chunk({ content: p });
  s += chunk({}, 'stop');
  s += usageChunk(7, pieces.length);
  s += 'data: [DONE]\n\n';
  return s;
}

function defaultHandler(req, record, res) {
  if (record.json?.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(streamBody());
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(completionBody()));
  }
}

// Real nginx as an upstream, serving canned OpenAI answers (plain HTTP and HTTPS with a CA the test
// makes). POST /v1/chat/completions answers JSON; /sse/v1/chat/completions answers an SSE stream.
export async function startNginxUpstream() {
  const dir = tempDir('tiergate-nginx-');
  mkdirSync(join(dir, 'logs'));
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const ca = join(dir, 'ca.pem');
  const openssl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '2', '-subj', '/CN=tiergate test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  const json = JSON.stringify(completionBody('Hello from nginx')).replace(/'/g, "\\'");
  const sse = streamBody(['Hello', ' from', ' nginx']).replace(/\n/g, '\\n').replace(/'/g, "\\'");
  const conf = `
daemon off;
worker_processes 1;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 1s;  # closes idle keep-alive connections soon, as real servers do later
  server {
    listen 127.0.0.1:${httpPort};
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${dir}/server.pem;
    ssl_certificate_key ${dir}/server.key;
    location = /v1/chat/completions { default_type application/json; return 200 '${json}'; }
    location = /sse/v1/chat/completions { default_type text/event-stream; return 200 '${sse}'; }
    location = /err500/v1/chat/completions { default_type application/json; return 500 '{"error":{"message":"boom"}}'; }
  }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 100; i++) {
    if (await portOpen(httpPort)) break;
    if (proc.exitCode !== null) throw new Error('nginx failed: ' + err);
    await sleep(50);
  }
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://localhost:${httpsPort}`,
    ca,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    },
  };
}

export function portOpen(port) {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });
}

// `routing`: more keys of the routing section, indented by four spaces.
export function openaiTierYaml(baseUrl, extra = '', routing = '') {
  return `
tiers:
  - name: cloud
    kind: openai
    base_url: "${baseUrl}"
    model: "gpt-up"
    api_key_env: "TIERGATE_TEST_KEY"
${extra}
routing:
  default_tier: cloud
${routing}`;
}

// Fault tests fail a tier on purpose many times in a row: a breaker that never opens keeps each
// test's expectations independent of the ones before. Breakers have tests of their own.
export const NO_BREAKER = '  circuit_breaker: { consecutive_failures: 1000000, min_requests: 1000000 }\n';

// Raw HTTP/1.1 over a socket, for requests fetch() refuses to send (bad UTF-8, huge headers).
export function rawRequest(port, text, { timeoutMs = 10000 } = {}) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const t = setTimeout(() => {
      s.destroy();
      rej(new Error('raw request timed out; got: ' + data.toString()));
    }, timeoutMs);
    s.on('data', (d) => (data = Buffer.concat([data, d])));
    s.on('close', () => {
      clearTimeout(t);
      res(data.toString('utf8'));
    });
    s.on('error', () => {});
    s.write(text);
  });
}

export function parseRawResponse(text) {
  const [head, ...rest] = text.split('\r\n\r\n');
  const status = Number(head.split(' ')[1]);
  return { status, head, body: rest.join('\r\n\r\n') };
}

// --- Helpers for the routing tests (two real tiers: embedded edge + a cloud) ---

// Writes a tiny random-weight GGUF model (`tiergate gen-test-model`); the seed picks the weights,
// so two seeds give two models that answer differently.
export function genTestModel(path, { seed } = {}) {
  const args = ['gen-test-model', '--out', path];
  if (seed !== undefined) args.push('--seed', String(seed));
  execFileSync(BIN, args, { stdio: 'pipe' });
  return path;
}

// The `data:` payloads of an SSE body, in order ('[DONE]' included as is).
export function sseData(text) {
  return text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
}

// One Prometheus sample: metricValue(text, 'tiergate_circuit_state', { tier: 'cloud' }).
// Labels must be given in the order tiergate prints them. undefined when the series is absent.
export function metricValue(text, name, labels = {}) {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const prefix = want ? `${name}{${want}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

export async function scrapeMetrics(baseUrl) {
  return (await fetch(baseUrl + '/metrics')).text();
}

// POST /v1/chat/completions with fetch. For an SSE answer also: `events` (data payloads), `chunks`
// (the parsed JSON ones), `content` (choice 0's text), `done` (ended with [DONE]), `error` (an SSE
// error event's body).
export async function postChat(baseUrl, body, headers = {}) {
  const res = await fetch(baseUrl + '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const r = { status: res.status, headers: res.headers, text };
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    r.events = sseData(text);
    r.done = r.events.at(-1) === '[DONE]';
    r.chunks = r.events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e));
    r.error = r.chunks.find((c) => c.error)?.error;
    r.content = r.chunks.flatMap((c) => (c.choices ?? []).filter((x) => x.index === 0))
      .map((x) => x.delta?.content ?? '').join('');
  } else {
    try {
      r.json = JSON.parse(text);
      r.content = r.json.choices?.[0]?.message?.content;
    } catch {}
  }
  return r;
}

// The access-log line of one request (by x-request-id), waiting briefly: a stream's line is
// written after its last byte.
export async function accessLogLine(tg, requestId, { timeoutMs = 2000 } = {}) {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const line = tg.accessLog().find((l) => l.request_id === requestId);
    if (line || Date.now() > deadline) return line;
    await sleep(20);
  }
}
