// The official OpenAI client (npm `openai`, pinned in package-lock.json) against `hfcpp serve`
// on 127.0.0.1 with the tiny random Qwen2: chats and completions, streamed or not, the error
// cases, a client that hangs up, a burst with disconnects that must leave no thread or connection
// behind, and SIGTERM's graceful drain. Run by ctest with node --test;
// HFCPP_BIN is the built hfcpp and HF_FIXTURES the fixtures folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, KEY, MODEL } from './serve_process.mjs';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
let OpenAI;
try {
  OpenAI = require('openai').default ?? require('openai');
} catch {
  throw new Error('the npm `openai` client is not installed: run scripts/setup.sh (npm ci in tests/server)');
}

let server, client;
before(async () => {
  server = await startServer(['--parallel', '4']);
  client = new OpenAI({ apiKey: KEY, baseURL: server.base + '/v1', maxRetries: 0, timeout: 60000 });
});
after(() => server && stopServer(server));

const hello = [{ role: 'user', content: '你好' }];

test('non-streamed chat', async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 8, temperature: 0 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 8);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 8);
});

test('streamed chat gives the same text as the non-streamed one', async () => {
  const whole = await client.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 10, temperature: 0 });
  const stream = await client.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 10, temperature: 0,
                                                        stream: true, stream_options: { include_usage: true } });
  let text = '', first = null, finish = null, usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (first === null) first = chunk.choices[0].delta;
    if (chunk.choices.length && chunk.choices[0].delta.content) text += chunk.choices[0].delta.content;
    if (chunk.choices.length && chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(first.role, 'assistant');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.equal(usage.completion_tokens, 10);
});

test('completions, plain and streamed', async () => {
  const r = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 5, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  assert.equal(r.choices[0].finish_reason, 'length');
  const stream = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 5, temperature: 0, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
  assert.equal(text, r.choices[0].text);
});

test('seeded sampling is reproducible', async () => {
  const ask = () => client.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 12, seed: 7, temperature: 1 });
  const [a, b] = await Promise.all([ask(), ask()]);
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
});

test('error cases reach the client as OpenAI errors', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: hello }),
                       (e) => e instanceof OpenAI.NotFoundError && e.status === 404 && e.code === 'model_not_found');
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: hello, logit_bias: { 1: 1 } }),
                       (e) => e instanceof OpenAI.BadRequestError && e.param === 'logit_bias');
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: hello, temperature: 7 }),
                       (e) => e.status === 400 && e.param === 'temperature');
  const wrong = new OpenAI({ apiKey: 'nope', baseURL: server.base + '/v1', maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), [MODEL]);
});

test('a client that hangs up frees its slot', async () => {
  const stream = await client.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 30000, stream: true });
  let n = 0;
  for await (const chunk of stream) if (++n === 3) break;  // leaving the loop aborts the request
  let active = -1;
  for (let i = 0; i < 200 && active !== 0; ++i) {
    const text = await (await fetch(server.base + '/metrics', { headers: { Authorization: `Bearer ${KEY}` } })).text();
    active = Number(/^hfcpp_active_slots (\d+)$/m.exec(text)[1]);
    if (active !== 0) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(active, 0);
  const r = await client.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 2 });
  assert.equal(r.choices.length, 1);
});

test('load: 8 concurrent streaming clients for 8 s, no failures', async () => {
  // The bounded ctest version; for the 60 s run: HFCPP_LOAD_SECONDS=60 node --test ...
  const seconds = Number(process.env.HFCPP_LOAD_SECONDS ?? 8);
  const deadline = Date.now() + seconds * 1000;
  let done = 0, failures = 0;
  await Promise.all(Array.from({ length: 8 }, async (_, i) => {
    while (Date.now() < deadline) {
      try {
        const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `client ${i}` }],
                                                              max_tokens: 16, stream: true });
        let finish = null;
        for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
        if (finish) ++done; else ++failures;
      } catch { ++failures; }
    }
  }));
  assert.equal(failures, 0);
  assert.ok(done >= 8, `only ${done} requests completed`);
  // The gauges are updated after the step that ended the last sequence: poll (bounded) for it.
  let metrics = '';
  for (let i = 0; i < 100; ++i) {
    metrics = await (await fetch(server.base + '/metrics', { headers: { Authorization: `Bearer ${KEY}` } })).text();
    if (/^hfcpp_active_slots 0$/m.test(metrics)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.match(metrics, /^hfcpp_active_slots 0$/m);
  assert.match(metrics, /^hfcpp_queue_depth 0$/m);
});

// The server process's threads and its TCP connections other than the listening socket, from /proc.
function threadsAndConnections(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  let connections = 0;
  for (const table of ['tcp', 'tcp6']) {
    const lines = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);  // f[3]: state (0A = LISTEN), f[9]: inode
      if (f[3] !== '0A' && inodes.has(f[9])) ++connections;
    }
  }
  return { threads: fs.readdirSync(`/proc/${pid}/task`).length, connections };
}

test('a burst of requests with disconnects leaves no threads or connections behind', async () => {
  const s = await startServer(['--parallel', '2', '--max-queue', '16']);
  try {
    const c = new OpenAI({ apiKey: KEY, baseURL: s.base + '/v1', maxRetries: 0, timeout: 60000 });
    // One request first: the compute pool starts its workers at the first forward pass.
    await c.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 2 });
    const before = threadsAndConnections(s.proc.pid);
    // A raw connection: sends `bytes`, then closes (both ways) at once or once the answer starts.
    const raw = (bytes, closeOnAnswer = false) => new Promise((resolve) => {
      const sock = net.connect(Number(new URL(s.base).port), '127.0.0.1', () => {
        sock.write(bytes);
        if (!closeOnAnswer) sock.destroy();
      });
      sock.on('data', () => sock.destroy());
      sock.setTimeout(30000, () => sock.destroy());  // bounded whatever happens
      sock.on('error', resolve);
      sock.on('close', resolve);
    });
    const body = JSON.stringify({ model: MODEL, messages: hello, max_tokens: 30000, stream: true });
    await Promise.all([
      // Finished streams, more than the slots (some wait in the queue).
      ...Array.from({ length: 5 }, () => (async () => {
        const stream = await c.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 8, stream: true });
        for await (const chunk of stream) { /* read to the end */ }
      })()),
      // Streams left after their first chunk.
      ...Array.from({ length: 3 }, () => (async () => {
        const stream = await c.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 30000, stream: true });
        for await (const chunk of stream) break;
      })()),
      // Non-streamed requests aborted while they wait or run.
      ...Array.from({ length: 3 }, (_, i) => (async () => {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 100 * (i + 1));
        await c.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 30000 }, { signal: abort.signal })
          .then(() => assert.fail('an aborted request was answered'), (e) => assert.equal(e.constructor.name, 'APIUserAbortError'));
      })()),
      // Raw connections: closed at once, after half a request, once a streamed answer starts.
      raw(''),
      raw('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"model"'),
      raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, true),
    ]);
    // Every slot frees and every connection closes (keep-alive ends after 5 s idle); bounded wait,
    // reading /proc only, so the wait itself opens no connection.
    let now = threadsAndConnections(s.proc.pid);
    for (let i = 0; i < 600 && (now.connections > 0 || now.threads > before.threads); ++i) {
      await new Promise((r) => setTimeout(r, 100));
      now = threadsAndConnections(s.proc.pid);
    }
    assert.equal(now.connections, 0, 'connections left open');
    assert.equal(now.threads, before.threads, 'threads left over');
    const metrics = await (await fetch(s.base + '/metrics', { headers: { Authorization: `Bearer ${KEY}` } })).text();
    assert.match(metrics, /^hfcpp_active_slots 0$/m);
    assert.match(metrics, /^hfcpp_queue_depth 0$/m);
    await stopServer(s);
  } finally {
    s.proc.kill('SIGKILL');
  }
});

test('SIGTERM finishes the running stream, then the server exits 0', async () => {
  const s = await startServer();
  const c = new OpenAI({ apiKey: KEY, baseURL: s.base + '/v1', maxRetries: 0 });
  const stream = await c.chat.completions.create({ model: MODEL, messages: hello, max_tokens: 60, temperature: 0, stream: true,
                                                   stream_options: { include_usage: true } });
  let signalled = false, usage = null;
  for await (const chunk of stream) {
    if (!signalled) { s.proc.kill('SIGTERM'); signalled = true; }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(usage.completion_tokens, 60);  // the running request was not cut
  await s.exited;
  await stopServer(s);  // exit status 0, no sanitizer report
});
