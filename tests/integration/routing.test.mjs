// The routing engine end to end, with two real tiers: the embedded edge (a generated model) and a
// cloud that is either a scripted upstream (for faults) or a second tiergate serving its own
// embedded tier (real HTTP between two tiergates). Every test checks what the client sees and that
// the process stays healthy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import OpenAI from '../compat/node_modules/openai/index.js';
import {
  startTiergate, startScriptedUpstream, NO_BREAKER, sleep, freePort, tempDir, chunk, usageChunk,
  completionBody, streamBody, genTestModel, metricValue, scrapeMetrics, postChat, accessLogLine, BIN,
} from '../lib/harness.mjs';

const dir = tempDir('tiergate-routing-');
const edgeModel = genTestModel(join(dir, 'edge.gguf'));
// The cloud tiergate runs another model, so its answers differ from the edge's.
const cloudModel = genTestModel(join(dir, 'cloud.gguf'), { seed: 7 });

// edge (embedded, first in config order) + cloud (openai). `edge`, `cloud`: more keys of each tier,
// indented by four spaces; `routing`: the routing section's keys, indented by two.
function twoTiers({ cloudUrl, cloudModelName = 'gpt-up', edge = '', cloud = '', routing,
  timeouts = '{ connect_ms: 300, first_byte_ms: 400, idle_ms: 1000 }' }) {
  return `
tiers:
  - name: edge
    kind: embedded
    model_path: "${edgeModel}"
    threads: 1
    context_size: 512
${edge}
  - name: cloud
    kind: openai
    base_url: "${cloudUrl}"
    model: "${cloudModelName}"
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
    timeouts: ${timeouts}
${cloud}
routing:
${routing}
`;
}

// A tiergate serving only an embedded tier: the "cloud" of another tiergate.
function cloudTiergate(args = []) {
  return startTiergate(`
tiers:
  - name: edge
    kind: embedded
    model_path: "${cloudModel}"
    threads: 1
    context_size: 512
routing:
  default_tier: edge
`, { args });
}

const ask = (content, extra = {}) => ({
  model: 'auto', messages: [{ role: 'user', content }], max_tokens: 8, temperature: 0, ...extra,
});
const sdk = (url) => new OpenAI({ baseURL: url + '/v1', apiKey: 'unused', maxRetries: 0, timeout: 20000 });
const reasonsOf = (r) => (r.headers.get('x-tiergate-reason') ?? '').split(',').filter(Boolean);

async function assertHealthy(tg) {
  assert.equal(tg.proc.exitCode, null, 'tiergate exited:\n' + tg.out.stderr);
  assert.equal(tg.proc.signalCode, null, 'tiergate was killed:\n' + tg.out.stderr);
  const r = await fetch(tg.url + '/healthz');
  assert.equal(r.status, 200);
}

// The edge answered: a complete, well-formed answer from the embedded model.
function assertEdgeAnswer(r, { stream }) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('x-tiergate-tier'), 'edge');
  if (stream) {
    assert.ok(r.done, 'the stream ends with [DONE]');
    assert.equal(r.error, undefined);
    assert.ok(r.chunks.every((c) => c.model === 'edge'), 'every chunk is the edge model\'s');
  } else {
    assert.equal(r.json.model, 'edge');
    assert.ok(['stop', 'length'].includes(r.json.choices[0].finish_reason));
  }
  assert.ok(r.content.length > 0, 'the edge wrote something');
}

const metrics = async (tg) => scrapeMetrics(tg.url);

describe('cloud down, circuit breaker, recovery (a second tiergate as the cloud)', () => {
  let front, cloud, port, openedAt;
  before(async () => {
    port = await freePort();  // nothing listens here until the recovery test
    front = await startTiergate(twoTiers({
      cloudUrl: `http://127.0.0.1:${port}/v1`, cloudModelName: 'edge',
      routing: `  default_tier: cloud
  circuit_breaker: { consecutive_failures: 3, min_requests: 1000, open_s: 1 }`,
    }));
  });
  after(async () => {
    await front?.stop();
    await cloud?.stop();
  });

  test('non-streaming: the edge serves, marked fallback and degraded', async () => {
    const { data, response } = await sdk(front.url).chat.completions.create(ask('Hello')).withResponse();
    assert.equal(data.model, 'edge');
    assert.ok(data.choices[0].message.content.length > 0);
    assert.equal(response.headers.get('x-tiergate-tier'), 'edge');
    assert.deepEqual(reasonsOf(response), ['default', 'fallback']);
    assert.equal(response.headers.get('x-tiergate-degraded'), 'cloud-unavailable');
    assert.equal(response.headers.get('x-tiergate-cost-usd'), '0.00000000', 'the edge is free');
    const log = await accessLogLine(front, response.headers.get('x-request-id'));
    assert.deepEqual(log.failed_attempts, ['cloud:upstream_error']);
    assert.equal(log.degraded, true);
    assert.equal(log.tier, 'edge');
    assert.ok(log.all_cloud_cost_usd > 0, 'what the cloud would have cost is recorded');
    await assertHealthy(front);
  });

  test('streaming: the edge serves the whole stream, marked fallback and degraded', async () => {
    const r = await postChat(front.url, ask('Hello', { stream: true }));
    assertEdgeAnswer(r, { stream: true });
    assert.deepEqual(reasonsOf(r), ['default', 'fallback']);
    assert.equal(r.headers.get('x-tiergate-degraded'), 'cloud-unavailable');
    const log = await accessLogLine(front, r.headers.get('x-request-id'));
    assert.deepEqual(log.failed_attempts, ['cloud:upstream_error']);
    await assertHealthy(front);
  });

  test('after consecutive_failures the breaker opens: straight to the edge, circuit_open', async () => {
    const third = await postChat(front.url, ask('Hello'));
    assertEdgeAnswer(third, { stream: false });
    assert.ok(reasonsOf(third).includes('fallback'));
    openedAt = Date.now();
    let m = await metrics(front);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 1);
    assert.equal(metricValue(m, 'tiergate_circuit_opened_total', { tier: 'cloud' }), 1);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'edge' }), 0);

    for (const stream of [false, true]) {
      const r = await postChat(front.url, ask('Hello', { stream }));
      assertEdgeAnswer(r, { stream });
      assert.deepEqual(reasonsOf(r), ['default', 'circuit_open', 'cloud_unavailable']);
      assert.equal(r.headers.get('x-tiergate-degraded'), 'cloud-unavailable');
      const log = await accessLogLine(front, r.headers.get('x-request-id'));
      assert.equal(log.failed_attempts, undefined, 'the open circuit is not even tried');
    }
    // Naming the failing tier leaves nothing to serve: 503 with Retry-After, not a hang.
    const forced = await postChat(front.url, ask('Hello', { model: 'cloud' }));
    assert.equal(forced.status, 503, forced.text);
    assert.ok(Number(forced.headers.get('retry-after')) >= 1);
    assert.equal(forced.json.error.code, 'service_unavailable');
    assert.ok(Date.now() - openedAt < 1000, 'still within open_s');
    m = await metrics(front);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 1);
    assert.equal(metricValue(m, 'tiergate_fallbacks_total', { tier: 'cloud' }), 3);
    assert.equal(metricValue(m, 'tiergate_degraded_total'), 5);
    assert.equal(metricValue(m, 'tiergate_route_requests_total', { reason: 'circuit_open' }), 2);
    await assertHealthy(front);
  });

  test('half-open, the probe fails while the cloud is still down: open again, the edge serves', async () => {
    const wait = openedAt + 1100 - Date.now();
    if (wait > 0) await sleep(wait);
    let m = await metrics(front);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 2, 'half-open after open_s');
    const r = await postChat(front.url, ask('Hello'));
    assertEdgeAnswer(r, { stream: false });
    assert.deepEqual(reasonsOf(r), ['default', 'fallback'], 'the probe was tried, then the edge');
    assert.equal(r.headers.get('x-tiergate-degraded'), 'cloud-unavailable');
    openedAt = Date.now();
    m = await metrics(front);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 1);
    assert.equal(metricValue(m, 'tiergate_circuit_opened_total', { tier: 'cloud' }), 2);
    const next = await postChat(front.url, ask('Hello'));
    assert.ok(reasonsOf(next).includes('circuit_open'));
    await assertHealthy(front);
  });

  test('recovery: the cloud comes back, a probe after open_s closes the circuit', async () => {
    cloud = await cloudTiergate(['--listen', `127.0.0.1:${port}`]);
    const wait = openedAt + 1100 - Date.now();
    if (wait > 0) await sleep(wait);
    let m = await metrics(front);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 2, 'half-open after open_s');

    const direct = await sdk(cloud.url).chat.completions.create(ask('Hello', { model: 'edge' }));
    const { data, response } = await sdk(front.url).chat.completions.create(ask('Hello')).withResponse();
    assert.equal(response.headers.get('x-tiergate-tier'), 'cloud');
    assert.deepEqual(reasonsOf(response), ['default']);
    assert.equal(response.headers.get('x-tiergate-degraded'), null);
    assert.equal(data.choices[0].message.content, direct.choices[0].message.content,
      'the answer is the second tiergate\'s');
    m = await metrics(front);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 0);

    // Closed again: streaming goes to the cloud too.
    const s = await postChat(front.url, ask('Hello', { stream: true }));
    assert.equal(s.headers.get('x-tiergate-tier'), 'cloud');
    assert.ok(s.done);
    assert.equal(s.content, direct.choices[0].message.content);
    await assertHealthy(front);
    await assertHealthy(cloud);
  });
});

describe('faults of a scripted cloud', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(twoTiers({
      cloudUrl: up.url, routing: '  default_tier: cloud\n' + NO_BREAKER,
      timeouts: '{ connect_ms: 300, first_byte_ms: 400, idle_ms: 600 }',
    }));
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  const faults = {
    429: (req, rec, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
      res.end('{"error":{"message":"slow down"}}');
    },
    500: (req, rec, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"kaput"}}');
    },
  };
  for (const [status, code] of [[429, 'cloud:rate_limited'], [500, 'cloud:upstream_error']]) {
    for (const stream of [false, true]) {
      test(`cloud ${status}${stream ? ', streaming' : ''}: the edge serves`, async () => {
        up.handler = faults[status];
        const before = up.requests.length;
        const r = await postChat(tg.url, ask('Hello', { stream }));
        assertEdgeAnswer(r, { stream });
        assert.equal(up.requests.length, before + 1, 'the cloud was asked once');
        assert.deepEqual(reasonsOf(r), ['default', 'fallback']);
        assert.equal(r.headers.get('x-tiergate-degraded'), 'cloud-unavailable');
        assert.equal(r.headers.get('retry-after'), null, 'the cloud\'s Retry-After is not passed on');
        const log = await accessLogLine(tg, r.headers.get('x-request-id'));
        assert.deepEqual(log.failed_attempts, [code]);
        assert.equal(log.status, 200);
        await assertHealthy(tg);
      });
    }
  }

  test('cloud silent past first_byte_ms: the edge serves within about first_byte_ms', async () => {
    up.handler = () => {};  // never answers
    for (const stream of [false, true]) {
      const t0 = Date.now();
      const r = await postChat(tg.url, ask('Hello', { stream }));
      const elapsed = Date.now() - t0;
      assertEdgeAnswer(r, { stream });
      assert.ok(reasonsOf(r).includes('fallback'));
      const log = await accessLogLine(tg, r.headers.get('x-request-id'));
      assert.deepEqual(log.failed_attempts, ['cloud:upstream_timeout']);
      // Bounds with room for a loaded CI machine; the server's own clock is the tighter one.
      assert.ok(elapsed >= 380 && log.total_ms < 1500 && elapsed < 4000,
        `answered after ${elapsed} ms, ${log.total_ms} ms in tiergate (first_byte_ms 400)`);
    }
    await assertHealthy(tg);
  });

  test('cloud answers 200 then stalls before the first event: the edge streams after idle_ms', async () => {
    up.handler = (req, rec, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    const t0 = Date.now();
    const r = await postChat(tg.url, ask('Hello', { stream: true }));
    const elapsed = Date.now() - t0;
    assertEdgeAnswer(r, { stream: true });
    assert.deepEqual(reasonsOf(r), ['default', 'fallback']);
    const log = await accessLogLine(tg, r.headers.get('x-request-id'));
    assert.deepEqual(log.failed_attempts, ['cloud:upstream_timeout']);
    assert.ok(elapsed >= 550 && log.total_ms < 1800 && elapsed < 4000,
      `answered after ${elapsed} ms, ${log.total_ms} ms in tiergate (idle_ms 600)`);
    await assertHealthy(tg);
  });

  test('reset mid-stream after the first chunk reached the client: SSE error, no [DONE], no fallback', async () => {
    let cut;
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'partial' }));
      cut = () => req.socket.destroy();
    };
    const m0 = await metrics(tg);
    const res = await fetch(tg.url + '/v1/chat/completions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask('Hello', { stream: true })),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-tiergate-tier'), 'cloud');
    const reader = res.body.getReader();
    let text = '';
    while (!text.includes('partial')) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the first chunk arrives before the end');
      text += Buffer.from(value).toString();
    }
    cut();  // only now: the client has the first chunk
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    assert.ok(!events.includes('[DONE]'), 'a cut stream must not end with [DONE]');
    const last = JSON.parse(events.at(-1));
    assert.ok(last.error, 'the last event is an error: ' + events.at(-1));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(chunks.every((c) => c.model === 'gpt-up'), 'nothing from the edge was mixed in');
    const log = await accessLogLine(tg, res.headers.get('x-request-id'));
    assert.equal(log.tier, 'cloud');
    assert.ok(!log.reasons.includes('fallback'));
    assert.ok(log.error);
    const m1 = await metrics(tg);
    assert.equal(metricValue(m1, 'tiergate_fallbacks_total', { tier: 'cloud' }),
      metricValue(m0, 'tiergate_fallbacks_total', { tier: 'cloud' }), 'no fallback');
    assert.equal(metricValue(m1, 'tiergate_streams_broken_total'),
      metricValue(m0, 'tiergate_streams_broken_total') + 1);
    await assertHealthy(tg);
  });

  test('a cloud stream cut after only its role chunk (no token yet) falls back to the edge', async () => {
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      setTimeout(() => req.socket.destroy(), 50);
    };
    const r = await postChat(tg.url, ask('Hello', { stream: true }));
    assertEdgeAnswer(r, { stream: true });
    assert.deepEqual(reasonsOf(r), ['default', 'fallback']);
  });

  test('non-streaming reset mid-body: nothing reached the client, the edge answers', async () => {
    up.handler = (req, rec, res) => {
      const body = JSON.stringify(completionBody('from the cloud'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.slice(0, 40));
      setTimeout(() => req.socket.destroy(), 50);
    };
    const r = await postChat(tg.url, ask('Hello'));
    assertEdgeAnswer(r, { stream: false });
    assert.ok(!r.text.includes('from the cloud'));
    assert.deepEqual(reasonsOf(r), ['default', 'fallback']);
    const log = await accessLogLine(tg, r.headers.get('x-request-id'));
    assert.deepEqual(log.failed_attempts, ['cloud:upstream_error']);
    await assertHealthy(tg);
  });

  test('privacy strict: a request with an e-mail address stays on the edge; the cloud never sees it', async () => {
    up.handler = null;
    const email = 'jane.roe.4711@example.org';
    const before = up.requests.length;
    for (const stream of [false, true]) {
      const r = await postChat(tg.url, ask(`Please write to ${email} about the invoice.`, { stream }));
      assertEdgeAnswer(r, { stream });
      assert.deepEqual(reasonsOf(r), ['default', 'privacy_pinned']);
      assert.equal(r.headers.get('x-tiergate-degraded'), null);
      assert.match(r.headers.get('x-tiergate-privacy'), /action=pinned; entities=email=1/);
    }
    assert.equal(up.requests.length, before, 'no request reached the cloud');
    assert.ok(!up.requests.some((q) => q.body.includes(email)));
    // The same request without the address goes to the cloud as usual.
    const ok = await postChat(tg.url, ask('Please write about the invoice.'));
    assert.equal(ok.headers.get('x-tiergate-tier'), 'cloud');
    assert.equal(ok.content, 'Hello from upstream');
    await assertHealthy(tg);
  });
});

describe('latency budgets', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    // The cloud takes 30 ms, so its measured time to first token stays above a 5 ms budget.
    up.handler = (req, rec, res) => setTimeout(() => {
      if (rec.json?.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(streamBody());
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completionBody()));
      }
    }, 30);
    // The edge is believed very slow (1 token/s) until measured; it never serves here.
    tg = await startTiergate(twoTiers({
      cloudUrl: up.url,
      edge: '    latency_prior: { prefill_tokens_per_s: 1000, decode_tokens_per_s: 1 }',
      cloud: '    latency_prior: { ttft_ms: 50, decode_tokens_per_s: 1000 }',
      routing: `  default_tier: edge
  tenants:
    snappy: { latency_budget_ms: 2000 }
` + NO_BREAKER,
    }));
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('the edge is unmeasured, so its latency_prior is what routing uses', async () => {
    const m = await metrics(tg);
    assert.equal(metricValue(m, 'tiergate_tier_decode_tokens_per_second', { tier: 'edge' }), 0);
  });

  test('a prompt beyond the edge\'s context window, or tools, go to the cloud', async () => {
    const long = await postChat(tg.url, ask('word '.repeat(700)));
    assert.equal(long.status, 200, long.text);
    assert.equal(long.headers.get('x-tiergate-tier'), 'cloud');
    assert.deepEqual(reasonsOf(long), ['default', 'context_window']);
    const tools = await postChat(tg.url, ask('What is the weather?', {
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
    }));
    assert.equal(tools.status, 200, tools.text);
    assert.equal(tools.headers.get('x-tiergate-tier'), 'cloud');
    assert.deepEqual(reasonsOf(tools), ['default', 'capability']);
    // Forcing the edge with a prompt it cannot hold is the client's error, not a fallback.
    const forced = await postChat(tg.url, ask('word '.repeat(700), { model: 'edge' }));
    assert.equal(forced.status, 400);
    await assertHealthy(tg);
  });

  test('a budget too tight for the edge: the cloud serves, reason deadline (total and ttft)', async () => {
    for (const [stream, budget] of [[false, 2000], [true, 500]]) {
      const r = await postChat(tg.url, ask('Hello', { stream }),
        { 'x-tiergate-latency-budget-ms': String(budget) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
      assert.deepEqual(reasonsOf(r), ['default', 'deadline']);
      assert.equal(r.content, stream ? 'Hello world' : 'Hello from upstream');
      const log = await accessLogLine(tg, r.headers.get('x-request-id'));
      assert.equal(log.latency_budget_ms, budget);
      assert.ok(log.predicted_ttft_ms <= budget, JSON.stringify(log));
      assert.ok(log.failed_attempts === undefined);
    }
    await assertHealthy(tg);
  });

  test('no tier can meet the budget: deadline_unmeetable, the fastest (cloud) serves', async () => {
    for (const stream of [false, true]) {
      const r = await postChat(tg.url, ask('Hello', { stream }), { 'x-tiergate-latency-budget-ms': '5' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
      assert.deepEqual(reasonsOf(r), ['default', 'deadline_unmeetable']);
      const log = await accessLogLine(tg, r.headers.get('x-request-id'));
      assert.ok(log.predicted_ttft_ms > 5);
    }
    const m = await metrics(tg);
    assert.equal(metricValue(m, 'tiergate_route_requests_total', { reason: 'deadline_unmeetable' }), 2);
    assert.equal(metricValue(m, 'tiergate_route_requests_total', { reason: 'deadline' }), 2);
    await assertHealthy(tg);
  });

  test('a tenant\'s latency_budget_ms applies without the header; the header overrides it', async () => {
    const tenant = { 'x-tiergate-tenant': 'snappy' };
    const r = await postChat(tg.url, ask('Hello'), tenant);
    assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
    assert.deepEqual(reasonsOf(r), ['default', 'deadline']);
    assert.equal((await accessLogLine(tg, r.headers.get('x-request-id'))).latency_budget_ms, 2000);
    // (Served by the edge: the edge is measured from now on.)
    const loose = await postChat(tg.url, ask('Hello'), { ...tenant, 'x-tiergate-latency-budget-ms': '3600000' });
    assert.equal((await accessLogLine(tg, loose.headers.get('x-request-id'))).latency_budget_ms, 3600000);
    await assertHealthy(tg);
  });

  test('a bad budget header is a 400, and the edge serves without one', async () => {
    const bad = await postChat(tg.url, ask('Hello'), { 'x-tiergate-latency-budget-ms': 'soon' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /x-tiergate-latency-budget-ms/);
    const r = await postChat(tg.url, ask('Hello'));
    assertEdgeAnswer(r, { stream: false });
    assert.deepEqual(reasonsOf(r), ['default']);
    await assertHealthy(tg);
  });
});

describe('tenant budgets and allowed tiers', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    // Every cloud answer costs $0.003 (1000 tokens in at $1/M, 1000 out at $2/M): acme's $0.002
    // budget is spent after its first cloud answer.
    const usage = { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 };
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completionBody('Hello from upstream', { usage })));
    };
    tg = await startTiergate(twoTiers({
      cloudUrl: up.url,
      routing: `  default_tier: cloud
  tenants:
    acme: { budget: { usd: 0.002, period: day, pacing: 1.0 } }
    edgeonly: { allowed_tiers: [edge] }
` + NO_BREAKER,
    }));
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('a spent budget sends the tenant to the edge (never an error); others still reach the cloud', async () => {
    const acme = { 'x-tiergate-tenant': 'acme' };
    const first = await postChat(tg.url, ask('Hello'), acme);
    assert.equal(first.headers.get('x-tiergate-tier'), 'cloud');
    assert.equal(first.headers.get('x-tiergate-cost-usd'), '0.00300000');
    for (const stream of [false, true, false]) {
      const r = await postChat(tg.url, ask('Hello', { stream }), acme);
      assertEdgeAnswer(r, { stream });
      assert.deepEqual(reasonsOf(r), ['default', 'budget_exhausted']);
      const log = await accessLogLine(tg, r.headers.get('x-request-id'));
      assert.equal(log.cost_usd, 0);
    }
    for (const headers of [{ 'x-tiergate-tenant': 'other' }, {}]) {
      const r = await postChat(tg.url, ask('Hello'), headers);
      assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
      assert.deepEqual(reasonsOf(r), ['default']);
    }
    const m = await metrics(tg);
    assert.equal(metricValue(m, 'tiergate_route_requests_total', { reason: 'budget_exhausted' }), 3);
    assert.ok(Math.abs(metricValue(m, 'tiergate_cost_usd_total', { tier: 'cloud' }) - 0.009) < 1e-9);
    assert.ok(metricValue(m, 'tiergate_savings_usd_total') > 0, 'edge answers count as savings');
    await assertHealthy(tg);
  });

  test('the access log names the tenant given by x-tiergate-tenant', async () => {
    const r = await postChat(tg.url, ask('Hello'), { 'x-tiergate-tenant': 'acme' });
    const log = await accessLogLine(tg, r.headers.get('x-request-id'));
    assert.equal(log.tenant, 'acme');
  });

  test('allowed_tiers [edge] keeps a tenant off the cloud; forcing the cloud is a 403', async () => {
    const h = { 'x-tiergate-tenant': 'edgeonly' };
    const before = up.requests.length;
    for (const stream of [false, true]) {
      const r = await postChat(tg.url, ask('Hello', { stream }), h);
      assertEdgeAnswer(r, { stream });
      assert.deepEqual(reasonsOf(r), ['default', 'tenant_policy']);
      assert.equal(r.headers.get('x-tiergate-degraded'), null);
    }
    const forced = await postChat(tg.url, ask('Hello', { model: 'cloud' }), h);
    assert.equal(forced.status, 403);
    assert.match(forced.json.error.message, /edgeonly/);
    assert.equal(up.requests.length, before, 'the cloud never saw the tenant');
    await assertHealthy(tg);
  });
});

describe('cascade: the edge first, the cloud when the edge is unsure (a second tiergate as the cloud)', () => {
  let cloud, unsure, sure, cloudDown, direct, directUsage, edgeDirect;
  const cascade = (minLogprob, cloudUrl) => twoTiers({
    cloudUrl, cloudModelName: 'edge',
    routing: `  default_tier: edge
  escalation: { enabled: true, tokens: 4, min_mean_logprob: ${minLogprob} }
` + NO_BREAKER,
  });
  before(async () => {
    cloud = await cloudTiergate();
    [unsure, sure, cloudDown] = await Promise.all([
      startTiergate(cascade(-0.01, cloud.url + '/v1')),
      startTiergate(cascade(-100, cloud.url + '/v1')),
      startTiergate(cascade(-0.01, `http://127.0.0.1:${await freePort()}/v1`)),
    ]);
    const d = await sdk(cloud.url).chat.completions.create(ask('Tell me a story', { model: 'edge' }));
    direct = d.choices[0].message.content;
    directUsage = d.usage;
    edgeDirect = (await sdk(sure.url).chat.completions.create(ask('Tell me a story', { model: 'edge' })))
      .choices[0].message.content;
    assert.notEqual(direct, edgeDirect, 'the two models answer differently');
  });
  after(async () => {
    await Promise.all([unsure?.stop(), sure?.stop(), cloudDown?.stop()]);
    await cloud?.stop();
  });

  test('an unsure edge escalates: the client sees only the cloud\'s answer (non-streaming)', async () => {
    const { data, response } = await sdk(unsure.url).chat.completions
      .create(ask('Tell me a story')).withResponse();
    assert.equal(response.headers.get('x-tiergate-tier'), 'cloud');
    assert.deepEqual(reasonsOf(response), ['default', 'cascade', 'escalated']);
    assert.equal(data.choices[0].message.content, direct);
    assert.deepEqual(data.usage, directUsage, 'the usage is the cloud\'s, not the edge\'s');
    assert.equal(data.choices[0].logprobs ?? null, null, 'no logprobs the client did not ask for');
    const log = await accessLogLine(unsure, response.headers.get('x-request-id'));
    assert.equal(log.escalated, true);
    await assertHealthy(unsure);
  });

  test('an unsure edge escalates: the stream carries only the cloud\'s text', async () => {
    const r = await postChat(unsure.url,
      ask('Tell me a story', { stream: true, stream_options: { include_usage: true } }));
    assert.equal(r.status, 200);
    assert.deepEqual(r.chunks.filter((c) => c.usage).map((c) => c.usage), [directUsage]);
    assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
    assert.deepEqual(reasonsOf(r), ['default', 'cascade', 'escalated']);
    assert.ok(r.done);
    assert.equal(r.content, direct);
    assert.ok(r.chunks.every((c) => (c.choices ?? []).every((x) => !x.logprobs)));
    const m = await metrics(unsure);
    assert.equal(metricValue(m, 'tiergate_escalations_total', { tier: 'edge' }), 2);
    assert.equal(metricValue(m, 'tiergate_route_requests_total', { reason: 'escalated' }), 2);
    await assertHealthy(unsure);
    await assertHealthy(cloud);
  });

  test('a sure edge keeps the request (reason cascade only)', async () => {
    for (const stream of [false, true]) {
      const r = await postChat(sure.url, ask('Tell me a story', { stream }));
      assertEdgeAnswer(r, { stream });
      assert.deepEqual(reasonsOf(r), ['default', 'cascade']);
      assert.equal(r.content, edgeDirect);
      if (stream) assert.ok(r.chunks.every((c) => (c.choices ?? []).every((x) => !x.logprobs)));
      else assert.equal(r.json.choices[0].logprobs ?? null, null);
    }
    const m = await metrics(sure);
    assert.equal(metricValue(m, 'tiergate_escalations_total', { tier: 'edge' }), 0);
    await assertHealthy(sure);
  });

  test('the cloud down during an escalation: the edge\'s answer is served', async () => {
    for (const stream of [false, true]) {
      const r = await postChat(cloudDown.url, ask('Tell me a story', { stream }));
      assertEdgeAnswer(r, { stream });
      assert.equal(r.content, edgeDirect);
      assert.ok(!reasonsOf(r).includes('escalated'));
      const log = await accessLogLine(cloudDown, r.headers.get('x-request-id'));
      assert.deepEqual(log.failed_attempts, ['cloud:upstream_error']);
    }
    await assertHealthy(cloudDown);
  });
});

describe('hedging', () => {
  let up, tg;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(twoTiers({
      cloudUrl: up.url,
      edge: '    parallel: 1',
      routing: `  default_tier: cloud
  hedging: { enabled: true, max_budget_ms: 1000 }
` + NO_BREAKER,
    }));
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });
  const budget = { 'x-tiergate-latency-budget-ms': '800' };

  // Occupies the edge's only slot with a long streamed answer until stop(): a hedged request's edge
  // attempt waits in the queue meanwhile. Resolves once the edge is decoding it.
  async function occupyEdge() {
    const ac = new AbortController();
    const res = await fetch(tg.url + '/v1/chat/completions', {
      method: 'POST', signal: ac.signal,
      body: JSON.stringify(ask('Go on', { model: 'edge', max_tokens: 480, stream: true })),
    });
    const reader = res.body.getReader();
    await reader.read();
    const drained = (async () => { while (!(await reader.read()).done); })().catch(() => {});
    return { stop: () => ac.abort(), drained };
  }
  const cloudRequests = (marker) => up.requests.filter((q) => q.body.includes(marker));

  test('a slow cloud: both start, the edge answers first and wins; the cloud call is cancelled', async () => {
    const marker = 'slow-cloud-7731';
    let busy, cancelled = 0;
    up.handler = (req, rec, res) => {
      const t = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completionBody('late cloud')));
      }, 1500);
      res.on('close', () => {
        clearTimeout(t);
        if (!res.writableFinished) cancelled++;
      });
      busy.stop();  // the cloud has the request: now let the edge answer (long before 1500 ms)
    };
    busy = await occupyEdge();
    const t0 = Date.now();
    const r = await postChat(tg.url, ask(`Hello ${marker}`), budget);
    assert.ok(Date.now() - t0 < 1400, 'the edge did not wait for the cloud');
    assertEdgeAnswer(r, { stream: false });
    assert.ok(reasonsOf(r).includes('hedged'), reasonsOf(r).join());
    assert.equal(cloudRequests(marker).length, 1, 'the cloud was started too');
    for (let i = 0; i < 40 && cancelled === 0; i++) await sleep(25);
    assert.equal(cancelled, 1, 'the losing cloud call was cancelled');
    const log = await accessLogLine(tg, r.headers.get('x-request-id'));
    assert.equal(log.hedged, true);
    assert.equal(log.failed_attempts, undefined, 'a lost hedge is not a failure');
    const m = await metrics(tg);
    assert.equal(metricValue(m, 'tiergate_hedges_won_total', { tier: 'edge' }), 1);
    assert.equal(metricValue(m, 'tiergate_circuit_state', { tier: 'cloud' }), 0);
    await busy.drained;
    await assertHealthy(tg);
  });

  test('a hedged cloud that fails (500) leaves the edge to answer, without a fallback', async () => {
    const marker = 'failing-cloud-5521';
    let busy;
    up.handler = (req, rec, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"kaput"}}', () => setTimeout(() => busy.stop(), 50));
    };
    busy = await occupyEdge();
    const r = await postChat(tg.url, ask(`Hello ${marker}`, { stream: true }), budget);
    assertEdgeAnswer(r, { stream: true });
    assert.ok(reasonsOf(r).includes('hedged'));
    assert.ok(!reasonsOf(r).includes('fallback'));
    assert.equal(cloudRequests(marker).length, 1);
    const log = await accessLogLine(tg, r.headers.get('x-request-id'));
    assert.deepEqual(log.failed_attempts, ['cloud:upstream_error']);
    await busy.drained;
    await assertHealthy(tg);
  });

  test('a busy edge: the instant cloud wins (streaming), the client sees only its text', async () => {
    up.handler = null;  // instant
    const busy = await occupyEdge();
    try {
      const r = await postChat(tg.url, ask('Hello', { stream: true }), budget);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
      assert.ok(reasonsOf(r).includes('hedged'), reasonsOf(r).join());
      assert.ok(r.done);
      assert.equal(r.content, 'Hello world');
      assert.ok(r.chunks.every((c) => c.model === 'gpt-up'));
    } finally {
      busy.stop();
      await busy.drained;
    }
    const m = await metrics(tg);
    assert.equal(metricValue(m, 'tiergate_hedges_won_total', { tier: 'cloud' }), 1);
    assert.equal(metricValue(m, 'tiergate_route_requests_total', { reason: 'hedged' }), 3);
    // The losing edge attempt left the queue; the aborted long answer freed the slot.
    let idle = false;
    for (let i = 0; i < 40 && !idle; i++) {
      const mm = await metrics(tg);
      idle = metricValue(mm, 'tiergate_tier_active', { tier: 'edge' }) === 0 &&
        metricValue(mm, 'tiergate_tier_queue_length', { tier: 'edge' }) === 0;
      if (!idle) await sleep(25);
    }
    assert.ok(idle, 'the edge is idle again');
    await assertHealthy(tg);
  });

  test('a request with personal data is never hedged to the cloud', async () => {
    up.handler = null;
    const before = up.requests.length;
    const email = 'john.doe.1234@example.com';
    for (const stream of [false, true]) {
      const r = await postChat(tg.url, ask(`Mail ${email} the report`, { stream }), budget);
      assertEdgeAnswer(r, { stream });
      assert.ok(reasonsOf(r).includes('privacy_pinned'));
      assert.ok(!reasonsOf(r).includes('hedged'));
    }
    assert.equal(up.requests.length, before, 'the cloud was not started');
    assert.ok(!up.requests.some((q) => q.body.includes(email)));
    await assertHealthy(tg);
  });

  test('a budget above max_budget_ms is not hedged', async () => {
    up.handler = null;
    const r = await postChat(tg.url, ask('Hello'), { 'x-tiergate-latency-budget-ms': '60000' });
    assert.equal(r.status, 200);
    assert.ok(!reasonsOf(r).includes('hedged'), reasonsOf(r).join());
    await assertHealthy(tg);
  });
});

describe('the edge saturated, and fallback switched off', () => {
  let up, tg, strict;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(twoTiers({
      cloudUrl: up.url, edge: '    parallel: 1\n    max_queue: 0',
      routing: '  default_tier: edge\n' + NO_BREAKER,
    }));
    strict = await startTiergate(twoTiers({
      cloudUrl: `http://127.0.0.1:${await freePort()}/v1`,
      routing: '  default_tier: cloud\n  fallback: false\n' + NO_BREAKER,
    }));
  });
  after(async () => {
    await Promise.all([tg?.stop(), strict?.stop()]);
    await up?.close();
  });

  test('a full edge (429) falls back to the cloud; not degraded, the cloud was not wanted', async () => {
    const ac = new AbortController();
    const long = await fetch(tg.url + '/v1/chat/completions', {
      method: 'POST', signal: ac.signal,
      body: JSON.stringify(ask('Go on', { model: 'edge', max_tokens: 480, stream: true })),
    });
    const reader = long.body.getReader();
    await reader.read();
    try {
      for (const stream of [false, true]) {
        const r = await postChat(tg.url, ask('Hello', { stream }));
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
        assert.deepEqual(reasonsOf(r), ['default', 'fallback']);
        assert.equal(r.headers.get('x-tiergate-degraded'), null);
        assert.equal(r.content, stream ? 'Hello world' : 'Hello from upstream');
        const log = await accessLogLine(tg, r.headers.get('x-request-id'));
        assert.deepEqual(log.failed_attempts, ['edge:rate_limited']);
      }
    } finally {
      ac.abort();
      await reader.cancel().catch(() => {});
    }
    const m = await metrics(tg);
    assert.equal(metricValue(m, 'tiergate_fallbacks_total', { tier: 'edge' }), 2);
    await assertHealthy(tg);
  });

  test('fallback: false: the cloud down is an error, not the edge', async () => {
    const r = await postChat(strict.url, ask('Hello'));
    assert.equal(r.status, 502, r.text);
    assert.equal(r.json.error.type, 'upstream_error');
    const s = await postChat(strict.url, ask('Hello', { stream: true }));
    assert.equal(s.status, 502);
    // The edge still serves what is routed to it.
    const e = await postChat(strict.url, ask('Hello', { model: 'edge' }));
    assertEdgeAnswer(e, { stream: false });
    await assertHealthy(strict);
  });
});

describe('tiergate explain', () => {
  const cfgDir = tempDir('tiergate-explain-');
  const cfg = join(cfgDir, 'config.yaml');
  const yaml = (routing) => `
tiers:
  - name: edge
    kind: embedded
    model_path: "/nonexistent/edge.gguf"
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:9/v1"
    model: "big"
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
routing:
${routing}`;
  const explain = (routing, request, args = []) => {
    writeFileSync(cfg, yaml(routing));
    const r = spawnSync(BIN, ['explain', '-c', cfg, ...args], { input: JSON.stringify(request), encoding: 'utf8' });
    return { code: r.status, out: r.stdout.trim() ? JSON.parse(r.stdout) : null, err: r.stderr };
  };
  const ask = (content, extra = {}) => ({ model: 'auto', messages: [{ role: 'user', content }], ...extra });

  test('prints the decision without any tier running (the edge model file does not even exist)', () => {
    const r = explain('  default_tier: cloud\n', ask('Hello there'));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.tier, 'cloud');
    assert.deepEqual(r.out.fallbacks, ['edge']);
    assert.deepEqual(r.out.reasons, ['default']);
    assert.equal(r.out.signals.privacy.action, 'none');
    assert.ok(r.out.predictions.cloud.ttft_ms > 0 && r.out.predictions.edge.total_ms > 0);
    assert.equal(r.out.predictions.cloud.measured, false, 'no live statistics: priors');
  });

  test('shows the complexity signal, and sends the harder prompt to the cloud', () => {
    const easy = 'hi';
    const hard = 'Which of the following best explains the mechanism of action of beta-lactam '
      + 'antibiotics against penicillin binding proteins? A) inhibition of transpeptidase '
      + 'B) ribosome C) DNA gyrase D) folate';
    const scores = [easy, hard].map((p) => explain('  default_tier: edge\n  complexity: { threshold: 100 }\n', ask(p)).out.signals.complexity.score);
    assert.ok(scores[1] > scores[0], `hard ${scores[1]} > easy ${scores[0]}`);
    const mid = (scores[0] + scores[1]) / 2;
    const routing = `  default_tier: edge\n  complexity: { threshold: ${mid} }\n`;
    const e = explain(routing, ask(easy)).out;
    const h = explain(routing, ask(hard)).out;
    assert.equal(e.tier, 'edge');
    assert.ok(e.reasons.includes('complexity_low'));
    assert.equal(h.tier, 'cloud');
    assert.ok(h.reasons.includes('complexity_high'));
    assert.equal(h.signals.complexity.wants_cloud, true);
  });

  test('privacy, tenant budget, deadline and the plan show up; a refusal exits 1 with the error', () => {
    const routing = '  default_tier: cloud\n  escalation: { enabled: true }\n'
      + '  tenants:\n    acme: { budget: { usd: 5, period: day } }\n';
    const p = explain(routing, ask('mail me at jane.doe@example.com'));
    assert.equal(p.out.tier, 'edge');
    assert.equal(p.out.signals.privacy.entities.email, 1);
    assert.deepEqual(p.out.excluded, [{ tier: 'cloud', reason: 'privacy_pinned' }]);
    const b = explain(routing, ask('Hello'), ['--tenant', 'acme', '--latency-budget-ms', '100000']);
    assert.equal(b.out.signals.tenant_budget.budget_usd, 5);
    assert.equal(b.out.signals.latency_budget.ms, 100000);
    const c = explain('  default_tier: edge\n  escalation: { enabled: true }\n', ask('Hello'));
    assert.equal(c.out.plan.cascade_to, 'cloud');
    const refused = explain(routing, ask('mail me at jane.doe@example.com', { model: 'cloud' }));
    assert.equal(refused.code, 1);
    assert.ok(refused.out.error.message.length > 0);
    assert.ok(!JSON.stringify(refused.out).includes('jane.doe'), 'never echoes the value');
  });
});
