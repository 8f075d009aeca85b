// The chat page (GET /) in a real browser: Debian's headless Chromium, driven over the DevTools
// protocol on a pipe (--remote-debugging-pipe: no port, no WebSocket library). The test opens the
// page (its model list answered with an embedding model first), waits for the chat model's name,
// types a message into the box, presses Enter, and sees the streamed reply appear and finish (the
// tokens/s line); then, with only the embedding model listed, the page says it cannot chat. Every
// wait is bounded, and Chromium is killed and the server stopped at the end whatever happened, so the
// test always stops by itself.
// Run by ctest with node --test (HFCPP_BIN, HF_FIXTURES, HF_CHROMIUM).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, stopServer, KEY, MODEL } from './serve_process.mjs';

const children = [];
let server;
// Chromium first; then the server stops as an operator stops it (exit 0, no sanitizer report).
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  if (server) await stopServer(server);
});

// A DevTools-protocol client over Chromium's pipe: requests on fd 3, answers and events on fd 4,
// each message JSON ended by a NUL byte.
function startChromium() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hfcpp-chromium-'));
  const proc = spawn(process.env.HF_CHROMIUM || '/usr/bin/chromium',
    ['--headless', '--remote-debugging-pipe', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
     '--no-first-run', '--no-default-browser-check', '--disable-extensions', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  children.push(proc);
  // Chromium's helper processes may still write into the profile just after the browser exits
  // (ENOTEMPTY): retry the removal, and never let a leftover folder fail the test from an event.
  proc.on('exit', () => {
    try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); } catch { /* left in tmp */ }
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const pending = new Map(), listeners = new Map();
  let nextId = 1, buffer = Buffer.alloc(0);
  proc.stdio[4].on('data', (d) => {
    buffer = Buffer.concat([buffer, d]);
    for (let end; (end = buffer.indexOf(0)) >= 0; buffer = buffer.subarray(end + 1)) {
      const msg = JSON.parse(buffer.subarray(0, end).toString());
      if (msg.method) {  // an event
        listeners.get(msg.method)?.(msg.params, msg.sessionId);
        continue;
      }
      const p = pending.get(msg.id);
      if (!p) continue;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    }
  });
  proc.on('exit', (code) => { for (const p of pending.values()) p.reject(new Error(`chromium exited (${code}): ${stderr}`)); });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${method}: no answer in 20 s; chromium: ${stderr}`)); }, 20000);
    pending.set(id, { method, resolve: (r) => { clearTimeout(timer); resolve(r); }, reject: (e) => { clearTimeout(timer); reject(e); } });
    proc.stdio[3].write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });
  const on = (method, fn) => listeners.set(method, fn);
  return { send, on };
}

// Polls `fn` every 100 ms until it returns a truthy value, for at most `ms`.
async function until(what, fn, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the chat page streams a reply in headless Chromium', { timeout: 90000 }, async () => {
  // --ctx bounds the reply (the page sends no max_tokens): prompt + reply fit in 96 positions.
  server = await startServer(['--ctx', '96']);
  const browser = startChromium();
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params) => browser.send(method, params, sessionId);
  const js = async (expression) => (await page('Runtime.evaluate', { expression, returnByValue: true })).result.value;

  // The page's GET /v1/models is answered with the server's own list behind an embedding model,
  // as a server listing one first would: the page must pick the chat model by its "task". Later
  // the list has only the embedding model: the page must say so and not offer to send.
  const embedding = { id: 'minilm', object: 'model', created: 0, owned_by: 'hfcpp', task: 'feature-extraction' };
  let onlyEmbedding = false;
  browser.on('Fetch.requestPaused', async ({ requestId }) => {
    const real = await (await fetch(`${server.base}/v1/models`, { headers: { Authorization: `Bearer ${KEY}` } })).json();
    assert.equal(real.data[0].task, 'text-generation');
    const data = onlyEmbedding ? [embedding] : [embedding, ...real.data];
    await page('Fetch.fulfillRequest', { requestId, responseCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'application/json' }],
                                         body: Buffer.from(JSON.stringify({ object: 'list', data })).toString('base64') });
  });
  await page('Fetch.enable', { patterns: [{ urlPattern: '*/v1/models*', requestStage: 'Request' }] });
  await page('Page.navigate', { url: `${server.base}/?key=${KEY}` });

  await until('the model name', async () => (await js('document.getElementById("model")?.textContent')) === MODEL, 30000);
  await js('document.getElementById("input").focus()');
  await page('Input.insertText', { text: 'Hello there' });
  await page('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' });
  await page('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 });

  // The stop button is enabled while the reply streams; then the tokens/s line appears.
  const speed = await until('the end of the reply', () => js('document.getElementById("speed").textContent'), 60000);
  assert.match(speed, /^\d+ tokens, [\d.]+ tokens\/s$/);
  const messages = await js('[...document.querySelectorAll("#log .msg")].map((m) => [m.className, m.textContent])');
  assert.equal(messages.length, 2);
  assert.deepEqual(messages[0], ['msg user', 'Hello there']);
  assert.equal(messages[1][0], 'msg assistant');
  assert.ok(messages[1][1].length > 0, 'the reply is empty');
  assert.equal(await js('document.getElementById("error").textContent'), '');
  assert.equal(await js('document.getElementById("input").value'), '');
  assert.equal(await js('document.getElementById("stop").disabled'), true);

  onlyEmbedding = true;
  await page('Page.reload', {});
  const error = await until('the no-chat-model error', () => js('document.getElementById("error")?.textContent'), 30000);
  assert.equal(error, 'Cannot list models: this server hosts no chat model, only minilm');
  assert.equal(await js('document.getElementById("send").disabled'), true);
});
