// Starts `hfcpp serve` (HFCPP_BIN) with the tiny fixture model (HF_FIXTURES) on 127.0.0.1, any
// free port, and waits for GET /health = 200; stops it and checks how it ended. Shared by the
// server's node tests, which `make test-asan` runs against the sanitized hfcpp.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const KEY = 'test-key';
export const MODEL = 'tiny-qwen2';

// Starts `hfcpp serve` on any free port and waits for GET /health = 200.
export async function startServer(extra = []) {
  const bin = process.env.HFCPP_BIN, fixtures = process.env.HF_FIXTURES;
  assert.ok(bin && fixtures, 'HFCPP_BIN and HF_FIXTURES must be set (ctest sets them)');
  const proc = spawn(bin, ['serve', path.join(fixtures, 'tiny-qwen2'), '--port', '0', '--served-model-name', MODEL,
                           '--api-key', KEY, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  // 'close': the process has exited and its stderr is read to the end (a leak report comes last).
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no port after 30 s: ' + stderr)), 30000);
    proc.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => reject(new Error(`hfcpp serve exited with ${code}: ${stderr}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; ++i) {
    const r = await fetch(base + '/health').catch(() => null);
    if (r && r.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, base, exited, stderr: () => stderr };
}

// What the sanitizers print: AddressSanitizer's and LeakSanitizer's reports, UBSan's "runtime error:".
const SANITIZER_REPORT = /AddressSanitizer|LeakSanitizer|runtime error:/;
const tail = (text) => text.slice(-4000);

// Fails when the server wrote a sanitizer report. Alone, for a server a test killed on purpose.
export function assertNoReports(server) {
  const m = SANITIZER_REPORT.exec(server.stderr());
  assert.ok(!m, `hfcpp serve reported: ${m && tail(server.stderr().slice(Math.max(0, m.index - 200)))}`);
}

// Stops the server as an operator does (SIGTERM, unless it already exited) and waits for it, at
// most 60 s; fails unless it exited 0 without a sanitizer report. A test's server ends here, not
// with SIGKILL: LeakSanitizer looks for leaks only at a normal exit (and then exits 23).
export async function stopServer(server) {
  const { proc } = server;
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  let timer;
  const end = await Promise.race([server.exited, new Promise((r) => { timer = setTimeout(() => r(null), 60000); })]);
  clearTimeout(timer);
  if (!end) {
    proc.kill('SIGKILL');
    assert.fail(`hfcpp serve did not exit within 60 s of SIGTERM: ${tail(server.stderr())}`);
  }
  assertNoReports(server);
  assert.ok(end.code === 0 && end.signal === null,
            `hfcpp serve exited with ${end.code ?? end.signal} after SIGTERM: ${tail(server.stderr())}`);
}


// The official OpenAI client (npm `openai`, pinned in package-lock.json), or a clear error when
// scripts/setup.sh has not installed it.
export function loadOpenAI() {
  const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), 'package.json'));
  try {
    return require('openai').default ?? require('openai');
  } catch {
    throw new Error('the npm `openai` client is not installed: run scripts/setup.sh (npm ci in tests/server)');
  }
}
