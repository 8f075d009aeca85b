// Two `hfcpp serve` replicas behind Debian's nginx with deploy/nginx.conf (ports rewritten, all on
// 127.0.0.1): requests reach both replicas, and killing one mid-run fails only the streams it
// held. Run by ctest with node --test (HFCPP_BIN, HF_FIXTURES, HF_NGINX; nginx from
// scripts/setup.sh).
//
// Nothing here depends on the model's speed: the streams are greedy, so all four produce the same
// tokens, and a greedy request of the same length first shows that those tokens hold no eos
// (finish_reason "length"). Each stream therefore runs exactly STREAM_TOKENS tokens, far more than
// are generated between its first chunk and the kill, and the replica is killed as soon as every
// stream has sent its first chunk.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer, assertNoReports, KEY, MODEL } from './serve_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const STREAM_TOKENS = 3000;
const auth = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
const children = [];
// SIGTERM: nginx's master takes its workers down with it.
after(() => { for (const c of children) c.kill('SIGTERM'); });

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

async function startNginx(ports) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hfcpp-nginx-'));
  const listen = await freePort();
  const conf = fs.readFileSync(path.join(here, '../../deploy/nginx.conf'), 'utf8')
    .replace('127.0.0.1:8081', `127.0.0.1:${ports[0]}`).replace('127.0.0.1:8082', `127.0.0.1:${ports[1]}`)
    .replace('listen 127.0.0.1:8080', `listen 127.0.0.1:${listen}`)
    .replaceAll('/tmp/hfcpp-nginx', path.join(dir, 'nginx'));
  assert.ok(conf.includes(String(ports[1])) && conf.includes(String(listen)), 'deploy/nginx.conf changed shape');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn(process.env.HF_NGINX || '/usr/sbin/nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], { stdio: 'inherit' });
  children.push(proc);
  const base = `http://127.0.0.1:${listen}`;
  for (let i = 0; i < 200; ++i) {
    const r = await fetch(base + '/health').catch(() => null);
    if (r && r.status === 200) return base;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not come up');
}

const metric = async (base, re) => Number(re.exec(await (await fetch(base + '/metrics', { headers: auth })).text())?.[1] ?? 0);
const chatRequests = (base) => metric(base, /^hfcpp_requests_total\{endpoint="\/v1\/chat\/completions",status="200"\} (\d+)$/m);

test('two replicas behind nginx: both serve, a killed one fails only its own streams', async () => {
  const a = await startServer(), b = await startServer();
  children.push(a.proc, b.proc);
  const port = (s) => Number(new URL(s.base).port);
  const lb = await startNginx([port(a), port(b)]);

  const ask = (max_tokens, stream) => fetch(lb + '/v1/chat/completions', { method: 'POST', headers: auth,
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens, stream, temperature: 0 }) });
  const answers = await Promise.all(Array.from({ length: 8 }, () => ask(24, false)));
  assert.deepEqual(answers.map((r) => r.status), Array(8).fill(200));
  assert.ok(await chatRequests(a.base) > 0 && await chatRequests(b.base) > 0, 'requests reached only one replica');

  // The greedy reply runs to its length limit: no eos ends a stream early.
  const probe = await (await ask(STREAM_TOKENS, false)).json();
  assert.equal(probe.choices[0].finish_reason, 'length', 'the greedy reply ends early; pick another prompt');

  // Four long streams, spread by least_conn; each has sent its first token (not just the role
  // chunk, which comes before the sequence has a slot) before replica A dies.
  const streams = await Promise.all(Array.from({ length: 4 }, () => ask(STREAM_TOKENS, true)));
  const readers = streams.map((r) => r.body.getReader());
  const texts = await Promise.all(readers.map(async (rd) => {
    let text = '';
    while (!/"delta":\{"content":"[^"]/.test(text)) {
      const { value, done } = await rd.read();
      assert.ok(!done, 'a stream ended before its first token: ' + text);
      text += Buffer.from(value).toString();
    }
    return text;
  }));
  // The slot gauge is written at the end of each step, just after the step's tokens went out:
  // poll it (the streams are far from their end) until it shows all four.
  let heldByA = 0, heldByB = 0;
  for (let i = 0; i < 200 && heldByA + heldByB !== 4; ++i) {
    if (i) await new Promise((r) => setTimeout(r, 50));
    heldByA = await metric(a.base, /^hfcpp_active_slots (\d+)$/m);
    heldByB = await metric(b.base, /^hfcpp_active_slots (\d+)$/m);
  }
  assert.equal(heldByA + heldByB, 4);
  assert.ok(heldByA > 0 && heldByB > 0, `least_conn put ${heldByA} and ${heldByB} streams on the replicas`);
  a.proc.kill('SIGKILL');
  const outcomes = await Promise.all(readers.map(async (rd, i) => {
    let text = texts[i];
    try {
      for (;;) { const { value, done } = await rd.read(); if (done) break; text += Buffer.from(value).toString(); }
    } catch { return 'failed'; }
    return text.includes('data: [DONE]') ? 'done' : 'failed';
  }));
  assert.equal(outcomes.filter((o) => o === 'failed').length, heldByA);
  assert.equal(outcomes.filter((o) => o === 'done').length, heldByB);
  // New requests go to the surviving replica.
  assert.equal((await ask(4, false)).status, 200);
  // The survivor stops cleanly (exit 0, no sanitizer report); the killed one reported nothing first.
  await stopServer(b);
  assertNoReports(a);
});
