// Client authentication: API keys stored as SHA-256 hashes, each mapped to a tenant with its own
// policy; 401 with an OpenAI error body otherwise; on whenever tiergate listens beyond loopback.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from '../compat/node_modules/openai/index.js';
import { startTiergate, startScriptedUpstream, tempDir, sleep } from '../lib/harness.mjs';

const sha = (k) => createHash('sha256').update(k).digest('hex');
const KEY_A = 'sk-team-a-' + 'x'.repeat(24);
const KEY_B = 'sk-team-b-' + 'y'.repeat(24);

describe('API keys', () => {
  let cloud, local, tg;
  before(async () => {
    cloud = await startScriptedUpstream();
    local = await startScriptedUpstream();
    const dir = tempDir();
    const keyFile = join(dir, 'keys');
    writeFileSync(keyFile, `# sha256 tenant\n${sha(KEY_B)} team-b\n`);
    tg = await startTiergate(`
tiers:
  - { name: cloud, kind: openai, base_url: "${cloud.url}", model: up }
  - { name: local, kind: openai, base_url: "${local.url}", model: up, trusted: true }
routing:
  default_tier: cloud
  privacy:
    mode: strict
    tenants:
      team-a: { mode: "off" }
auth:
  keys:
    - { sha256: "${sha(KEY_A)}", tenant: team-a }
  key_file: "${keyFile}"
`);
  });
  after(async () => {
    await tg?.stop();
    await cloud?.close();
    await local?.close();
  });

  const client = (key) => new OpenAI({ baseURL: tg.url + '/v1', apiKey: key, maxRetries: 0 });
  const sensitive = { model: 'auto', messages: [{ role: 'user', content: 'Mail jane.doe@example.com please' }] };

  test('no key, a wrong key or a malformed header is a 401 with an OpenAI error body', async () => {
    for (const headers of [{}, { authorization: 'Bearer sk-wrong' }, { authorization: KEY_A },
      { authorization: 'Basic ' + KEY_A }]) {
      const r = await fetch(tg.url + '/v1/chat/completions', { method: 'POST', headers, body: JSON.stringify(sensitive) });
      assert.equal(r.status, 401, JSON.stringify(headers));
      const e = (await r.json()).error;
      assert.equal(e.type, 'authentication_error');
      assert.equal(e.code, 'invalid_api_key');
    }
    await assert.rejects(client('sk-wrong').models.list(), (e) => e instanceof OpenAI.AuthenticationError);
    assert.equal(cloud.requests.length + local.requests.length, 0, 'nothing reached a tier');
  });

  test('health, readiness and metrics stay open', async () => {
    for (const p of ['/healthz', '/readyz', '/metrics']) assert.equal((await fetch(tg.url + p)).status, 200, p);
  });

  test('a key selects its tenant and the tenant its policy', async () => {
    // team-a: privacy off -> the sensitive request goes to the cloud as asked.
    const a = await client(KEY_A).chat.completions.create(sensitive).withResponse();
    assert.equal(a.response.headers.get('x-tiergate-tier'), 'cloud');
    assert.match(a.response.headers.get('x-tiergate-privacy'), /^action=none/);
    // team-b (from the key file): strict -> pinned to the trusted tier.
    const b = await client(KEY_B).chat.completions.create(sensitive).withResponse();
    assert.equal(b.response.headers.get('x-tiergate-tier'), 'local');
    // With authentication on, a client cannot pick another tenant by header.
    const spoof = await fetch(tg.url + '/v1/chat/completions', {
      method: 'POST', body: JSON.stringify(sensitive),
      headers: { authorization: 'Bearer ' + KEY_B, 'x-tiergate-tenant': 'team-a' },
    });
    assert.equal(spoof.headers.get('x-tiergate-tier'), 'local');
    await sleep(200);  // the last access-log line reaches our pipe a moment after the response
    const log = tg.accessLog().filter((l) => l.path === '/v1/chat/completions');
    assert.deepEqual(log.slice(-3).map((l) => l.tenant), ['team-a', 'team-b', 'team-b']);
  });

  test('keys never appear in logs', async () => {
    assert.ok(!tg.out.stdout.includes(KEY_A) && !tg.out.stderr.includes(KEY_A));
    assert.ok(!tg.out.stdout.includes(KEY_B) && !tg.out.stderr.includes(KEY_B));
  });
});

describe('listening beyond loopback', () => {
  test('without keys, start-up fails with a clear message', async () => {
    const r = await startTiergate(`
tiers:
  - { name: cloud, kind: openai, base_url: "http://127.0.0.1:9/v1", model: up }
`, { args: ['--listen', '0.0.0.0:0'], expectFailure: true });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /requires client authentication/);
  });

  test('bad key entries are named', async () => {
    const r = await startTiergate(`
tiers:
  - { name: cloud, kind: openai, base_url: "http://127.0.0.1:9/v1", model: up }
auth:
  keys:
    - { sha256: "nothex", tenant: t }
    - { tenant: t2 }
  required: true
`, { expectFailure: true });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /auth\.keys\[0\]\.sha256/);
    assert.match(r.stderr, /auth\.keys\[1\]\.sha256: is required/);
  });
});
