// Starts `hfcpp serve` (HFCPP_BIN) with the tiny fixture model (HF_FIXTURES) on 127.0.0.1, any
// free port, and waits for GET /health = 200. Shared by the server's node tests.
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
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, base, exited };
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
