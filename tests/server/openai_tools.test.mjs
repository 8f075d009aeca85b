// Structured output and tool calls through the official OpenAI client (npm `openai`, pinned in
// package-lock.json) against `hfcpp serve` with the tiny random Qwen2 (it knows nothing of JSON:
// every well-formed answer is constrained decoding's doing). Run by ctest with node --test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, loadOpenAI, KEY, MODEL } from './serve_process.mjs';

const OpenAI = loadOpenAI();
let server, client;
before(async () => {
  server = await startServer(['--parallel', '2']);
  client = new OpenAI({ apiKey: KEY, baseURL: server.base + '/v1', maxRetries: 0, timeout: 120000 });
});
after(() => server && stopServer(server));

const messages = [{ role: 'user', content: '北京的天气怎么样?' }];
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 10 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};
const tools = [weather, { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }];

function checkWeatherArguments(text) {
  const args = JSON.parse(text);
  assert.deepEqual(Object.keys(args), ['city', 'unit']);
  assert.equal(typeof args.city, 'string');
  assert.ok(args.city.length <= 10);
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit));
}

test('response_format json_schema: every seed gives JSON that validates', async () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 8 }, age: { type: 'integer' }, ok: { type: 'boolean' } },
    required: ['name', 'age', 'ok'],
    additionalProperties: false,
  };
  for (const seed of [1, 2, 3, 4]) {
    const r = await client.chat.completions.create({
      model: MODEL, messages, max_tokens: 40, seed, temperature: 1,
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    const value = JSON.parse(r.choices[0].message.content);
    assert.deepEqual(Object.keys(value), ['name', 'age', 'ok']);
    assert.ok(Number.isInteger(value.age));
    assert.equal(typeof value.ok, 'boolean');
    assert.ok(value.name.length <= 8);
    assert.equal(r.choices[0].finish_reason, 'stop');
  }
});

test('a named tool_choice always calls that function with valid arguments', async () => {
  const r = await client.chat.completions.create({
    model: MODEL, messages, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } },
    max_tokens: 48, seed: 5, temperature: 1,
  });
  const choice = r.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
  assert.equal(call.function.name, 'get_weather');
  checkWeatherArguments(call.function.arguments);

  // The answer goes back into the history with the tool's result, as applications do.
  const next = await client.chat.completions.create({
    model: MODEL, tools, max_tokens: 4, temperature: 0,
    messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: '晴, 22 度' }],
  });
  assert.equal(next.choices[0].message.role, 'assistant');
  assert.ok(next.usage.prompt_tokens > r.usage.prompt_tokens);
});

test('a streamed tool call, assembled by the client\'s own stream helper', async () => {
  const stream = client.chat.completions.stream({
    model: MODEL, messages, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } },
    max_tokens: 48, seed: 9, temperature: 1,
  });
  let deltas = 0;
  stream.on('chunk', (chunk) => { if (chunk.choices[0]?.delta?.tool_calls) deltas += 1; });
  const done = await stream.finalChatCompletion();
  assert.ok(deltas >= 1);
  const choice = done.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
  checkWeatherArguments(choice.message.tool_calls[0].function.arguments);
});

test('tool_choice required without parallel calls: exactly one call', async () => {
  const r = await client.chat.completions.create({
    model: MODEL, messages, tools, tool_choice: 'required', parallel_tool_calls: false, max_tokens: 64, seed: 3, temperature: 1,
  });
  assert.equal(r.choices[0].message.tool_calls.length, 1);
  assert.ok(['get_weather', 'get_time'].includes(r.choices[0].message.tool_calls[0].function.name));
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
});

test('bad structured-output and tool requests are 400s naming the field', async () => {
  const bad = async (extra, param) =>
    assert.rejects(client.chat.completions.create({ model: MODEL, messages, max_tokens: 4, ...extra }),
                   (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === param);
  await bad({ response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'integer', minimum: 1 } } } },
            'response_format.json_schema.schema');
  await bad({ tools, tool_choice: { type: 'function', function: { name: 'send_email' } } }, 'tool_choice.function.name');
  await bad({ tool_choice: 'auto' }, 'tool_choice');
  await bad({ tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools[0].function.name');
  await bad({ messages: [...messages, { role: 'tool', content: 'x' }] }, 'messages[1].tool_call_id');
});
