// The embedded llama.cpp tier over HTTP, with the official openai SDK as the client, on a model the
// test generates (tiergate gen-test-model). Also: a second tiergate serving only an embedded tier is
// a real OpenAI-compatible server, used here as the "cloud" of a first tiergate.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from '../compat/node_modules/openai/index.js';
import { BIN, startTiergate, tempDir, sleep } from '../lib/harness.mjs';

const dir = tempDir('tiergate-embedded-');
const model = join(dir, 'edge.gguf');
execFileSync(BIN, ['gen-test-model', '--out', model], { stdio: 'pipe' });

const edgeYaml = (extra = '') => `
tiers:
  - name: edge
    kind: embedded
    model_path: "${model}"
    threads: 1
${extra}
routing:
  default_tier: edge
`;

const sdk = (url) => new OpenAI({ baseURL: url + '/v1', apiKey: 'unused', maxRetries: 0, timeout: 30000 });
// The SDK's timeout ends at the response head; streams and plain fetches get their own limit, so a
// stall fails the test that stalled (and its finally stops the servers) instead of holding the whole
// run until ctest's timeout.
const kLimitMs = 60000;
const limited = { timeout: 2 * kLimitMs };
async function collect(stream, onChunk) {
  let stalled = false;
  const guard = setTimeout(() => {
    stalled = true;
    stream.controller.abort();
  }, kLimitMs);
  try {
    for await (const c of stream) onChunk(c);
  } finally {
    clearTimeout(guard);
  }
  if (stalled) throw new Error(`the stream did not end within ${kLimitMs} ms`);
}
const ask = (content, extra = {}) => ({ model: 'auto', messages: [{ role: 'user', content }], ...extra });

describe('embedded tier through the SDK', () => {
  let tg, client;
  before(async () => {
    tg = await startTiergate(edgeYaml('    parallel: 4\n    context_size: 512'));
    client = sdk(tg.url);
  });
  after(async () => tg?.stop());

  test('non-streaming: text, usage, finish_reason, tier header', async () => {
    const { data, response } = await client.chat.completions
      .create(ask('Tell me a story.', { max_tokens: 12, temperature: 0 })).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(typeof data.choices[0].message.content, 'string');
    assert.ok(['stop', 'length'].includes(data.choices[0].finish_reason));
    assert.ok(data.usage.prompt_tokens > 0);
    assert.ok(data.usage.completion_tokens > 0 && data.usage.completion_tokens <= 12);
    assert.equal(response.headers.get('x-tiergate-tier'), 'edge');
  });

  test('greedy output is deterministic; max_tokens gives finish_reason length', async () => {
    const req = ask('Once upon a time', { max_tokens: 16, temperature: 0 });
    const a = await client.chat.completions.create(req);
    const b = await client.chat.completions.create(req);
    assert.equal(a.choices[0].message.content, b.choices[0].message.content);
    if (a.choices[0].finish_reason === 'length') assert.equal(a.usage.completion_tokens, 16);
    const c = await client.chat.completions.create(ask('Once upon a time', { max_tokens: 1, temperature: 0 }));
    assert.equal(c.choices[0].finish_reason, 'length');
    assert.equal(c.usage.completion_tokens, 1);
  });

  test('streaming: token by token, usage, same text as non-streaming', async () => {
    const req = ask('Hello there', { max_tokens: 20, temperature: 0 });
    const whole = await client.chat.completions.create(req);
    const stream = await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let usage = null;
    for await (const c of stream) {
      if (c.usage) usage = c.usage;
      for (const ch of c.choices) {
        text += ch.delta?.content ?? '';
        chunks++;
      }
    }
    assert.equal(text, whole.choices[0].message.content);
    assert.ok(chunks > 2, 'streamed in pieces');
    assert.equal(usage.completion_tokens, whole.usage.completion_tokens);
  });

  test('stop sequences end the answer before the stop text', async () => {
    const base = await client.chat.completions.create(ask('Write something long', { max_tokens: 40, temperature: 0 }));
    const text = base.choices[0].message.content;
    assert.ok(text.length >= 12, 'the test model writes enough text to cut: ' + JSON.stringify(text));
    const stop = text.slice(6, 10);
    const cut = await client.chat.completions.create(ask('Write something long', { max_tokens: 40, temperature: 0, stop: [stop] }));
    assert.equal(cut.choices[0].finish_reason, 'stop');
    assert.equal(cut.choices[0].message.content, text.slice(0, text.indexOf(stop)));
  });

  test('logprobs as OpenAI defines them', async () => {
    const r = await client.chat.completions.create(ask('Hi', { max_tokens: 5, temperature: 0, logprobs: true, top_logprobs: 2 }));
    const lp = r.choices[0].logprobs.content;
    assert.ok(lp.length > 0);
    for (const t of lp) {
      assert.ok(t.logprob <= 0);
      assert.equal(t.top_logprobs.length, 2);
    }
  });

  test('8 concurrent streams all complete', async () => {
    const runs = Array.from({ length: 8 }, (_, i) => (async () => {
      const s = await client.chat.completions.create(ask(`Stream ${i}`, { max_tokens: 24, stream: true }));
      let n = 0;
      let finish = null;
      for await (const c of s) for (const ch of c.choices) {
        n++;
        finish = ch.finish_reason ?? finish;
      }
      return { n, finish };
    })());
    const results = await Promise.all(runs);
    for (const r of results) {
      assert.ok(r.n > 0);
      assert.ok(['stop', 'length'].includes(r.finish));
    }
  });

  test('a prompt longer than the context is a 400 context_length_exceeded', async () => {
    await assert.rejects(client.chat.completions.create(ask('word '.repeat(2000), { max_tokens: 4 })),
      (e) => e.status === 400 && e.code === 'context_length_exceeded');
  });

  test('tools are refused with a clear 400 by a tier that cannot run them', async () => {
    await assert.rejects(client.chat.completions.create(ask('x', {
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    })), (e) => e.status === 400);
  });

  test('/metrics shows the live engine statistics', async () => {
    const m = await (await fetch(tg.url + '/metrics', { signal: AbortSignal.timeout(kLimitMs) })).text();
    assert.match(m, /tiergate_tier_free_kv_cells\{tier="edge"\} \d+/);
    const decode = Number(m.match(/tiergate_tier_decode_tokens_per_second\{tier="edge"\} ([\d.e+]+)/)[1]);
    assert.ok(decode > 0, 'decode speed measured');
  });
});

describe('embedded tier under pressure', () => {
  test('cancellation frees the only sequence for the next request', limited, async () => {
    const tg = await startTiergate(edgeYaml('    parallel: 1\n    max_queue: 4\n    context_size: 512'));
    try {
      const client = sdk(tg.url);
      const s = await client.chat.completions.create(ask('Go on forever', { max_tokens: 400, stream: true }));
      let n = 0;
      await collect(s, () => {
        if (++n === 3) s.controller.abort();  // ends the iteration
      });
      assert.ok(n >= 3);
      const t0 = Date.now();
      const next = await client.chat.completions.create(ask('Next', { max_tokens: 4 }));
      assert.ok(next.choices[0].finish_reason);
      assert.ok(Date.now() - t0 < 10000);
      await sleep(100);
      const m = await (await fetch(tg.url + '/metrics', { signal: AbortSignal.timeout(kLimitMs) })).text();
      assert.match(m, /tiergate_tier_active\{tier="edge"\} 0/);
    } finally {
      await tg.stop();
    }
  });

  test('a full queue answers 429 with Retry-After', limited, async () => {
    const tg = await startTiergate(edgeYaml('    parallel: 1\n    max_queue: 1\n    context_size: 512'));
    try {
      const body = JSON.stringify(ask('Keep going', { max_tokens: 300 }));
      const results = await Promise.all(Array.from({ length: 6 }, () =>
        fetch(tg.url + '/v1/chat/completions', { method: 'POST', body, signal: AbortSignal.timeout(kLimitMs) })
          .then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await r.text() }))));
      const limited = results.filter((r) => r.status === 429);
      assert.ok(limited.length >= 1, 'some requests were refused: ' + results.map((r) => r.status));
      assert.ok(results.some((r) => r.status === 200));
      for (const r of limited) {
        assert.ok(Number(r.retry) >= 1);
        assert.equal(JSON.parse(r.body).error.type, 'rate_limit_error');
      }
    } finally {
      await tg.stop();
    }
  });
});

describe('model files', () => {
  test('a missing or corrupt model stops start-up with a message naming the file', async () => {
    const missing = await startTiergate(edgeYaml().replace(model, join(dir, 'nope.gguf')), { expectFailure: true });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nope\.gguf/);
    const bad = join(dir, 'corrupt.gguf');
    writeFileSync(bad, 'GGUF this is not a model');
    const corrupt = await startTiergate(edgeYaml().replace(model, bad), { expectFailure: true });
    assert.notEqual(corrupt.code, 0);
    assert.match(corrupt.stderr, /corrupt\.gguf/);
  });
});

describe('a second tiergate as the cloud', () => {
  test('tiergate (embedded) serves a tiergate (openai tier) like any OpenAI-compatible upstream', limited, async () => {
    const cloud = await startTiergate(edgeYaml());
    const front = await startTiergate(`
tiers:
  - name: edge
    kind: embedded
    model_path: "${model}"
    threads: 1
  - name: cloud
    kind: openai
    base_url: "${cloud.url}/v1"
    model: "edge"
routing:
  default_tier: edge
`);
    try {
      const client = sdk(front.url);
      const viaCloud = await client.chat.completions.create(ask('Hi', { model: 'cloud', max_tokens: 8, temperature: 0 }));
      const direct = await sdk(cloud.url).chat.completions.create(ask('Hi', { max_tokens: 8, temperature: 0 }));
      assert.equal(viaCloud.choices[0].message.content, direct.choices[0].message.content);
      const s = await client.chat.completions.create(ask('Hi', { model: 'cloud', max_tokens: 8, temperature: 0, stream: true }));
      let text = '';
      await collect(s, (c) => {
        text += c.choices[0]?.delta?.content ?? '';
      });
      assert.equal(text, direct.choices[0].message.content);
    } finally {
      await front.stop();
      await cloud.stop();
    }
  });
});
