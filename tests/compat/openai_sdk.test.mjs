// Conformance: the official openai SDK (npm) as the client of a running tiergate.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import {
  startTiergate, startScriptedUpstream, openaiTierYaml, chunk, completionBody,
} from '../lib/harness.mjs';

describe('openai SDK against tiergate', () => {
  let up, tg, client;
  before(async () => {
    up = await startScriptedUpstream();
    tg = await startTiergate(openaiTierYaml(up.url, '    timeouts: { first_byte_ms: 2000 }'));
    client = new OpenAI({ baseURL: tg.url + '/v1', apiKey: 'unused', maxRetries: 0, timeout: 10000 });
  });
  after(async () => {
    await tg?.stop();
    await up?.close();
  });

  test('chat.completions.create, non-streaming', async () => {
    up.handler = null;
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Hello?' }], max_tokens: 16 })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].message.content, 'Hello from upstream');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(data.usage.total_tokens, 11);
    assert.equal(response.headers.get('x-tiergate-tier'), 'cloud');
  });

  test('non-streaming: what the upstream adds reaches the client; id and model are tiergate\'s', async () => {
    const body = completionBody('Paris.', { model: 'up-model-2024-08-06' });
    body.system_fingerprint = 'fp_44709d6fcb';
    body.service_tier = 'default';
    body.choices[0].message.refusal = null;
    body.choices[0].message.reasoning_content = 'The capital of France is Paris.';
    body.usage.prompt_tokens_details = { cached_tokens: 3 };
    up.handler = (req, record, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Capital of France?' }] })
      .withResponse();
    up.handler = null;
    assert.equal(data.id, response.headers.get('x-request-id'));
    assert.match(data.id, /^chatcmpl-[0-9a-f]{24}$/);
    assert.equal(data.model, 'gpt-up', 'the tier\'s model, as for every other answer');
    assert.equal(data.choices[0].message.content, 'Paris.');
    assert.equal(data.choices[0].message.refusal, null);
    assert.equal(data.choices[0].message.reasoning_content, 'The capital of France is Paris.');
    assert.equal(data.system_fingerprint, 'fp_44709d6fcb');
    assert.equal(data.service_tier, 'default');
    assert.deepEqual(data.usage.prompt_tokens_details, { cached_tokens: 3 });
    assert.equal(data.usage.total_tokens, 11);
    assert.equal(data.created, 1700000000);
  });

  test('streaming with include_usage', async () => {
    up.handler = null;
    const stream = await client.chat.completions.create({
      model: 'auto', messages: [{ role: 'user', content: 'Stream please' }], stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = null;
    let finish = null;
    for await (const c of stream) {
      if (c.usage) usage = c.usage;
      for (const ch of c.choices) {
        text += ch.delta?.content ?? '';
        finish = ch.finish_reason ?? finish;
      }
    }
    assert.equal(text, 'Hello world');
    assert.equal(finish, 'stop');
    assert.equal(usage.completion_tokens, 3);
  });

  test('stream helper: runner accumulates the final message', async () => {
    up.handler = null;
    const runner = client.chat.completions.stream({ model: 'cloud', messages: [{ role: 'user', content: 'x' }] });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].message.content, 'Hello world');
  });

  test('models.list', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids, ['auto', 'cloud']);
  });

  test('errors map to the SDK error classes', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.code === 'model_not_found');
    await assert.rejects(
      client.chat.completions.create({ model: 'auto', messages: [] }),
      (e) => e instanceof OpenAI.BadRequestError && /messages/.test(e.message));
    up.handler = (req, rec, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end('{"error":{"message":"too many"}}');
    };
    await assert.rejects(
      client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.RateLimitError && e.headers.get('retry-after') === '3');
    up.handler = (req, rec, res) => {
      res.writeHead(503);
      res.end();
    };
    await assert.rejects(
      client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.InternalServerError && e.status === 502 && e.error?.type === 'upstream_error');
  });

  test('an error mid-stream surfaces as an SDK error, never as a silent end', async () => {
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'part' }));
      setTimeout(() => req.socket.destroy(), 50);
    };
    const stream = await client.chat.completions.create({
      model: 'auto', messages: [{ role: 'user', content: 'x' }], stream: true,
    });
    let text = '';
    await assert.rejects(async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    }, (e) => e instanceof OpenAI.APIError);
    assert.equal(text, 'part');
  });

  test('abort from the SDK cancels the upstream', async () => {
    let closed = false;
    up.handler = (req, rec, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'slow' }));
      const iv = setInterval(() => res.write(chunk({ content: '.' })), 50);
      res.on('close', () => {
        clearInterval(iv);
        closed = true;
      });
    };
    const stream = await client.chat.completions.create({
      model: 'auto', messages: [{ role: 'user', content: 'x' }], stream: true,
    });
    let n = 0;
    for await (const c of stream) {
      if (++n === 3) stream.controller.abort();
    }
    for (let i = 0; i < 40 && !closed; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(closed);
  });
});
