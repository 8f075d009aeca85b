// The official OpenAI client (npm `openai`, pinned in package-lock.json) against
// `hfcpp serve MODEL --embedding-model tiny-bert/sentence-minilm`: client.embeddings.create with
// the client's default encoding (it asks for base64 and decodes it), with floats, with token
// arrays, and the refusals it must raise as errors. The vectors are checked against the
// fixture's float64 reference (expected.json, within its 1e-5 tolerance).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer, KEY } from './serve_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const OpenAI = require('openai').default ?? require('openai');

const folder = path.join(process.env.HF_FIXTURES ?? '', 'tiny-bert', 'sentence-minilm');
const EMBEDDER = folder;  // served under the name it was given on the command line
let server, client, expected;
before(async () => {
  server = await startServer(['--embedding-model', folder]);
  client = new OpenAI({ apiKey: KEY, baseURL: server.base + '/v1', maxRetries: 0, timeout: 60000 });
  const file = JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8'));
  expected = { batch: file.pipeline_cases.find((c) => c.name === 'se_batch'), ids: file.debug.input_ids };
});
after(() => server && stopServer(server));

function assertNear(got, want) {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; ++i) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5, `value ${i}: ${got[i]} vs ${want[i]}`);
}

test('default (base64, decoded by the client) equals the reference', async () => {
  const inputs = expected.batch.inputs.slice(0, 2);
  const r = await client.embeddings.create({ model: EMBEDDER, input: inputs });
  assert.equal(r.object, 'list');
  assert.equal(r.model, EMBEDDER);
  assert.equal(r.data.length, 2);
  r.data.forEach((d, i) => {
    assert.equal(d.object, 'embedding');
    assert.equal(d.index, i);
    assertNear(d.embedding, expected.batch.output[i]);
  });
  assert.deepEqual(r.usage, { prompt_tokens: 11, total_tokens: 11 });
});

test('floats, and token arrays give the same vector as the text', async () => {
  const text = await client.embeddings.create({ model: EMBEDDER, input: 'free code', encoding_format: 'float' });
  const ids = await client.embeddings.create({ model: EMBEDDER, input: [expected.ids], encoding_format: 'float' });
  assertNear(text.data[0].embedding, expected.batch.output[0]);
  assertNear(ids.data[0].embedding, expected.batch.output[0]);
  assert.equal(ids.usage.prompt_tokens, expected.ids.length);
});

test('refusals are the client\'s typed errors', async () => {
  await assert.rejects(client.embeddings.create({ model: EMBEDDER, input: 'x', dimensions: 8 }),
                       (e) => e instanceof OpenAI.BadRequestError && e.param === 'dimensions');
  await assert.rejects(client.embeddings.create({ model: 'nope', input: 'x' }),
                       (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(client.embeddings.create({ model: EMBEDDER, input: '' }),
                       (e) => e instanceof OpenAI.BadRequestError && e.param === 'input');
  const bad = new OpenAI({ apiKey: 'wrong', baseURL: server.base + '/v1', maxRetries: 0 });
  await assert.rejects(bad.embeddings.create({ model: EMBEDDER, input: 'x' }), (e) => e instanceof OpenAI.AuthenticationError);
});
