// No-leak proof: 10,000 generated conversations with planted sensitive values (every entity type,
// in every place a client can put text) go through tiergate in strict and in redact mode,
// streaming and not. The untrusted "cloud" records every byte it receives; no planted value may
// ever reach it. In redact mode it echoes what it saw (placeholders), in small random chunks so
// placeholders are split across SSE events, and the client must get the original values back.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, startTiergate, startScriptedUpstream } from '../lib/harness.mjs';

const COUNT = Number(process.env.TIERGATE_NOLEAK_CONVERSATIONS ?? 10000);
const corpus = execFileSync(BIN, ['privacy-corpus', '--conversations', String(COUNT), '--seed', '20261124'],
  { maxBuffer: 1 << 30 }).toString().trim().split('\n').map((l) => JSON.parse(l));

// Everything the upstream saw as text: message contents (strings or text parts), tool-call
// arguments, tool definitions. Echoed back so restoration can be checked.
function seenText(body) {
  const parts = [];
  for (const m of body.messages ?? []) {
    if (typeof m.content === 'string') parts.push(m.content);
    else if (Array.isArray(m.content)) for (const p of m.content) if (p.type === 'text') parts.push(p.text);
    for (const tc of m.tool_calls ?? []) parts.push(tc.function?.arguments ?? '');
  }
  if (body.tools) parts.push(JSON.stringify(body.tools));
  return parts.join('\n');
}

function echoUpstream(up, { label }) {
  up.bytes = [];
  up.handler = (req, rec, res) => {
    up.bytes.push(rec.body);
    const text = `${label}:` + seenText(rec.json ?? {});
    if (rec.json?.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (delta, finish = null) => 'data: ' + JSON.stringify({ id: 'x', object: 'chat.completion.chunk',
        created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }) + '\n\n';
      let out = ev({ role: 'assistant', content: '' });
      for (let i = 0; i < text.length;) {
        const n = 1 + Math.floor(Math.random() * 7);
        out += ev({ content: text.slice(i, i + n) });
        i += n;
      }
      out += ev({}, 'stop') + 'data: ' + JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1,
        model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }) + '\n\ndata: [DONE]\n\n';
      res.end(out);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    }
  };
}

async function send(url, request, stream) {
  const res = await fetch(url + '/v1/chat/completions', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...request, stream }),
  });
  const body = await res.text();
  let content = '';
  if (res.status === 200 && stream) {
    for (const e of body.split('\n\n')) {
      if (!e.startsWith('data: ') || e === 'data: [DONE]') continue;
      const j = JSON.parse(e.slice(6));
      assert.ok(!j.error, 'stream error: ' + e);
      content += j.choices?.[0]?.delta?.content ?? '';
    }
  } else if (res.status === 200) {
    content = JSON.parse(body).choices[0].message.content;
  }
  return { status: res.status, headers: res.headers, content, body };
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

function assertNoNeedles(bytes, needles, where) {
  const all = bytes.join('\u0000');
  const leaked = [...new Set(needles)].filter((n) => all.includes(n));
  assert.deepEqual(leaked.map((n) => n.slice(0, 60)), [], `${where}: ${leaked.length} planted values reached the untrusted tier`);
}

const yaml = (mode, cloud, local) => `
tiers:
  - name: cloud
    kind: openai
    base_url: "${cloud}"
    model: "cloud-model"
  - name: local
    kind: openai
    base_url: "${local}"
    model: "local-model"
    trusted: true
routing:
  default_tier: cloud
  privacy:
    mode: ${mode}
logging:
  access_log: false
`;

describe(`no planted value reaches the cloud (${COUNT} conversations per mode)`, () => {
  test('strict: every conversation is served by the trusted tier; the cloud sees nothing', async () => {
    const cloud = await startScriptedUpstream();
    const local = await startScriptedUpstream();
    echoUpstream(cloud, { label: 'cloud' });
    echoUpstream(local, { label: 'local' });
    const tg = await startTiergate(yaml('strict', cloud.url, local.url));
    try {
      let pinned = 0;
      await pool(corpus, 16, async (c, i) => {
        const r = await send(tg.url, c.request, i % 2 === 1);
        assert.equal(r.status, 200, r.body);
        assert.equal(r.headers.get('x-tiergate-tier'), 'local');
        assert.match(r.headers.get('x-tiergate-privacy'), /^action=pinned; entities=/);
        assert.ok(!/\d{3,}|@/.test(r.headers.get('x-tiergate-privacy').replace(/=\d+/g, '')),
          'the audit header carries types and counts only');
        pinned++;
      });
      assert.equal(pinned, corpus.length);
      assert.equal(cloud.bytes.length, 0, 'the cloud received requests');
      assertNoNeedles(cloud.bytes, corpus.flatMap((c) => c.needles), 'strict');
      // A client forcing the cloud with sensitive data is refused, not served.
      const forced = await send(tg.url, { ...corpus[0].request, model: 'cloud' }, false);
      assert.equal(forced.status, 403);
      assert.equal(JSON.parse(forced.body).error.type, 'permission_error');
      assert.equal(cloud.bytes.length, 0);
      const m = await (await fetch(tg.url + '/metrics')).text();
      assert.ok(Number(m.match(/tiergate_privacy_actions_total\{action="pinned"\} (\d+)/)[1]) >= corpus.length);
    } finally {
      await tg.stop();
      await cloud.close();
      await local.close();
    }
  });

  test('redact: the cloud sees only placeholders; the client gets every original value back', async () => {
    const cloud = await startScriptedUpstream();
    const local = await startScriptedUpstream();
    echoUpstream(cloud, { label: 'cloud' });
    echoUpstream(local, { label: 'local' });
    const tg = await startTiergate(yaml('redact', cloud.url, local.url));
    try {
      await pool(corpus, 16, async (c, i) => {
        const before = cloud.bytes.length;
        const r = await send(tg.url, c.request, i % 2 === 1);
        assert.equal(r.status, 200, r.body);
        assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
        assert.match(r.headers.get('x-tiergate-privacy'), /^action=redacted; entities=/);
        assert.ok(cloud.bytes.length > before);
        assert.match(r.content, /^cloud:/);
        assert.match(cloud.bytes.at(-1) ?? '', /<[A-Z_]+_\d+>/, 'placeholders were sent');
        // Restored: every planted value the upstream echoed back is in the answer as it was sent.
        for (const n of c.needles) {
          if (n.includes('\\n')) continue;  // the JSON-escaped twin of a PEM block
          assert.ok(r.content.includes(n), `value not restored (${i % 2 ? 'stream' : 'json'}): ${JSON.stringify(n).slice(0, 50)}`);
        }
        assert.ok(!/<(EMAIL|PHONE|CARD|IBAN|SSN|IP|ADDRESS|API_KEY|JWT|PRIVATE_KEY|PASSWORD|SECRET)_\d+>/.test(r.content),
          'no placeholder left in the answer');
      });
      assertNoNeedles(cloud.bytes, corpus.flatMap((c) => c.needles), 'redact');
    } finally {
      await tg.stop();
      await cloud.close();
      await local.close();
    }
  });

  test('off: detection is reported but nothing is enforced', async () => {
    const cloud = await startScriptedUpstream();
    echoUpstream(cloud, { label: 'cloud' });
    const tg = await startTiergate(yaml('off', cloud.url, cloud.url));
    try {
      const r = await send(tg.url, corpus[0].request, false);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-tiergate-tier'), 'cloud');
      assert.match(r.headers.get('x-tiergate-privacy'), /^action=none; entities=/);
      // x-tiergate-sensitivity: high forces strict for one request.
      const high = await fetch(tg.url + '/v1/chat/completions', {
        method: 'POST', headers: { 'x-tiergate-sensitivity': 'high' }, body: JSON.stringify(corpus[1].request),
      });
      assert.equal(high.headers.get('x-tiergate-tier'), 'local');
    } finally {
      await tg.stop();
      await cloud.close();
    }
  });
});
