// server_load.mjs - the long load run of `hfcpp serve`: 8 concurrent streaming clients (the
// official OpenAI npm client) for 60 s on tests/fixtures/tiny-qwen2, with the server process's
// resident memory, threads and open sockets read from /proc before (after a warm-up) and after
// (once idle), and memory sampled every 10 s in between; the growth per request is (after - before)
// / requests. Not a test: it prints figures and exits 1 only on failed requests or on threads or
// sockets left over. It always stops by itself (a hard deadline kills the server).
//
//   HFCPP_BIN=build/hfcpp node bench/server_load.mjs [seconds=60] [clients=8] [extra serve flags...]
//   (HFCPP_LOAD_WARMUP_REQUESTS=n: the warm-up's requests, default 300)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.HF_FIXTURES ??= path.join(root, 'tests/fixtures');
process.env.HFCPP_BIN ??= path.join(root, 'build/hfcpp');
const require = createRequire(path.join(root, 'tests/server/package.json'));
const OpenAI = require('openai').default ?? require('openai');
const { startServer, KEY, MODEL } = await import(path.join(root, 'tests/server/serve_process.mjs'));

const seconds = Number(process.argv[2] ?? 60), clients = Number(process.argv[3] ?? 8);
const server = await startServer(['--parallel', String(clients), ...process.argv.slice(4)]);
const hardStop = setTimeout(() => { console.error('server_load: hard deadline passed'); server.proc.kill('SIGKILL'); process.exit(2); },
                            (seconds + 300) * 1000);
const client = new OpenAI({ apiKey: KEY, baseURL: server.base + '/v1', maxRetries: 0, timeout: 60000 });

// RSS (MiB), threads and sockets of the server process.
function usage() {
  const status = fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)[1]);
  let sockets = 0;
  for (const fd of fs.readdirSync(`/proc/${server.proc.pid}/fd`)) {
    try { if (fs.readlinkSync(`/proc/${server.proc.pid}/fd/${fd}`).startsWith('socket:')) ++sockets; } catch { /* closed meanwhile */ }
  }
  return { rss_mib: +(field('VmRSS') / 1024).toFixed(1), threads: field('Threads'), sockets };
}

// Runs the clients for `forSeconds`, or until `untilRequests` are done when that is given.
async function load(forSeconds, untilRequests = Infinity) {
  const deadline = Date.now() + forSeconds * 1000;
  let done = 0, failures = 0, tokens = 0;
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    for (let k = 0; Date.now() < deadline && done + failures < untilRequests; ++k) {
      try {
        const stream = await client.chat.completions.create({ model: MODEL, stream: true, max_tokens: 32,
          messages: [{ role: 'user', content: `client ${i}, request ${k}` }], stream_options: { include_usage: true } });
        let finish = null;
        for await (const chunk of stream) {
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) tokens += chunk.usage.completion_tokens;
        }
        if (finish) ++done; else ++failures;
      } catch { ++failures; }
    }
  }));
  return { done, failures, tokens };
}

async function idle() {
  for (let i = 0; i < 200; ++i) {
    const m = await (await fetch(server.base + '/metrics', { headers: { Authorization: `Bearer ${KEY}` } })).text();
    if (/^hfcpp_active_slots 0$/m.test(m) && /^hfcpp_queue_depth 0$/m.test(m)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Before and after are read alike: idle, and once the keep-alive connections timed out (5 s).
const settle = async () => { await idle(); await new Promise((r) => setTimeout(r, 6000)); };
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadStart = loadavg();
// Warm-up: enough requests for the server's connection threads (parallel + max-queue + 8 = 80)
// to have served several each: a thread's first requests touch its stack and allocator arena
// (about 3 MiB over the 80 threads, flat after some 300 requests), growth that a 5 s warm-up
// left inside the measured run. Bounded by 180 s on a slow machine.
await load(180, Number(process.env.HFCPP_LOAD_WARMUP_REQUESTS ?? 300));
await settle();
const before = usage();
const samples = [];
const sampler = setInterval(() => samples.push(usage().rss_mib), 10000);
const result = await load(seconds);
clearInterval(sampler);
await settle();
const after = usage();
server.proc.kill('SIGTERM');
await server.exited;
clearTimeout(hardStop);

console.log(`load: ${clients} streaming clients for ${seconds} s: ${result.done} requests, ${result.failures} failed, ` +
            `${result.tokens} tokens (${(result.tokens / seconds).toFixed(1)} tokens/s)`);
console.log(`before (after warm-up): rss ${before.rss_mib} MiB, ${before.threads} threads, ${before.sockets} sockets`);
console.log(`during (every 10 s):    rss ${samples.join(', ')} MiB`);
console.log(`after (idle):           rss ${after.rss_mib} MiB, ${after.threads} threads, ${after.sockets} sockets`);
const growth = ((after.rss_mib - before.rss_mib) * 1024) / Math.max(1, result.done);
console.log(`rss growth: ${(after.rss_mib - before.rss_mib).toFixed(1)} MiB after - before, ` +
            `${growth.toFixed(1)} KiB per request; machine load ${loadStart} at the start, ${loadavg()} at the end`);
const leaked = after.threads > before.threads || after.sockets > before.sockets;
if (leaked) console.log('LEAK: threads or sockets grew');
process.exit(result.failures > 0 || leaked ? 1 : 0);
