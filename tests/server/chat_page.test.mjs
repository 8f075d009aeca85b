// The chat page (GET /) in a real browser: Debian's headless Chromium, driven over the DevTools
// protocol on a pipe (--remote-debugging-pipe: no port, no WebSocket library). The test opens the
// page, waits for the model name, types a message into the box, presses Enter, and sees the
// streamed reply appear and finish (the tokens/s line). Every wait is bounded, and Chromium and
// the server are killed at the end whatever happened, so the test always stops by itself.
// Run by ctest with node --test (HFCPP_BIN, HF_FIXTURES, HF_CHROMIUM).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, KEY, MODEL } from './serve_process.mjs';

const children = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

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
  const pending = new Map();
  let nextId = 1, buffer = Buffer.alloc(0);
  proc.stdio[4].on('data', (d) => {
    buffer = Buffer.concat([buffer, d]);
    for (let end; (end = buffer.indexOf(0)) >= 0; buffer = buffer.subarray(end + 1)) {
      const msg = JSON.parse(buffer.subarray(0, end).toString());
      const p = pending.get(msg.id);
      if (!p) continue;  // an event
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
  return { send };
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
  const server = await startServer(['--ctx', '96']);
  children.push(server.proc);
  const browser = startChromium();
  const { targetId } = await browser.send('Target.createTarget', { url: `${server.base}/?key=${KEY}` });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params) => browser.send(method, params, sessionId);
  const js = async (expression) => (await page('Runtime.evaluate', { expression, returnByValue: true })).result.value;

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
});
