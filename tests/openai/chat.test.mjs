// The OpenAI-compatible endpoints through the official `openai` npm client against a real
// `docent serve --model` on a free loopback port: chat and legacy completions, streamed and
// not, usage, stop sequences, a disconnect that cancels its generation, 429 from a full
// generation queue, and the same text for each request alone or among fifteen others.
// stories260K (shared/models) is the model: tiny, so it writes nonsense, but greedy by default
// and fast, so these check the protocol and the engine's contract, not the prose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { APIUserAbortError, BadRequestError, RateLimitError } from "openai";
import { serverPool, runDocent, metric, waitForMetric, shared, stories } from "./server.mjs";

const model = "stories260K"; // the file name without .gguf
const story = [{ role: "user", content: "Tell me a story about a dog." }];

const { dir: work, serve } = serverPool("docent-openai-");

// Reads a chat or completions stream (or the promise of one) to the end: the concatenated
// text, the finish_reason (which one chunk carries), and the usage chunk.
async function drain(stream) {
  let text = "";
  let finish = null;
  let usage = null;
  for await (const chunk of await stream) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.choices.length === 0) continue;
    const choice = chunk.choices[0];
    text += choice.delta ? (choice.delta.content ?? "") : choice.text;
    if (choice.finish_reason !== null) {
      assert.equal(finish, null, "one chunk carries the finish_reason");
      finish = choice.finish_reason;
    }
  }
  return { text, finish, usage };
}

test("chat and completions, streamed and not, with usage and stop sequences", { timeout: 30000 }, async () => {
  const { client } = await serve(["--model", stories, "--slots", "2"]);
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id === model && m.object === "model"), JSON.stringify(models.data));

  // a. Not streamed: eight tokens of a story that goes on, so max_tokens ends it.
  const request = { model, messages: story, max_tokens: 8, temperature: 0 };
  const plain = await client.chat.completions.create(request);
  assert.equal(plain.object, "chat.completion");
  assert.equal(plain.model, model);
  assert.equal(typeof plain.id, "string");
  assert.equal(plain.choices.length, 1);
  const message = plain.choices[0].message;
  assert.equal(message.role, "assistant");
  assert.equal(typeof message.content, "string");
  assert.ok(message.content.length > 0);
  assert.equal(plain.choices[0].finish_reason, "length");
  assert.ok(plain.usage.prompt_tokens > 0);
  assert.equal(plain.usage.completion_tokens, 8);
  assert.equal(plain.usage.total_tokens, plain.usage.prompt_tokens + plain.usage.completion_tokens);

  // b. Streamed: the deltas add up to the same text (greedy), the role comes first, one
  // chunk has the finish_reason, and with include_usage a last chunk without choices has
  // the usage.
  const stream = await client.chat.completions.create({
    ...request,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 3);
  for (const chunk of chunks) {
    assert.equal(chunk.object, "chat.completion.chunk");
    assert.equal(chunk.id, chunks[0].id, "one id for the whole stream");
  }
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage.prompt_tokens, plain.usage.prompt_tokens);
  assert.equal(last.usage.completion_tokens, 8);
  assert.equal(last.usage.total_tokens, plain.usage.total_tokens);
  const finishes = chunks.slice(0, -1).map((c) => c.choices[0].finish_reason);
  assert.deepEqual(finishes.filter((f) => f !== null), ["length"]);
  assert.equal(finishes.at(-1), "length", "the finish_reason comes last, before the usage");
  const text = chunks.slice(0, -1).map((c) => c.choices[0].delta.content ?? "").join("");
  assert.equal(text, message.content);

  // c. The legacy completions endpoint, plain and streamed.
  const legacy = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 8 });
  assert.equal(legacy.object, "text_completion");
  assert.equal(typeof legacy.choices[0].text, "string");
  assert.ok(legacy.choices[0].text.length > 0);
  assert.equal(legacy.choices[0].finish_reason, "length");
  assert.equal(legacy.usage.completion_tokens, 8);
  assert.equal(legacy.usage.total_tokens, legacy.usage.prompt_tokens + 8);
  const legacyStream = await drain(
    client.completions.create({ model, prompt: "Once upon a time", max_tokens: 8, stream: true }),
  );
  assert.equal(legacyStream.text, legacy.choices[0].text);
  assert.equal(legacyStream.finish, "length");
  assert.equal(legacyStream.usage, null, "no usage chunk unless asked for");

  // d. Stop sequences: the greedy text without one, then again with a piece of its middle
  // (which need not fall on a token boundary) as the stop: the text before its first
  // occurrence, with finish_reason "stop". A stop that never occurs changes nothing.
  const long = { model, messages: story, max_tokens: 48, temperature: 0 };
  const free = (await client.chat.completions.create(long)).choices[0].message.content;
  const mid = Math.floor(free.length / 2);
  const stop = free.slice(mid, mid + 4);
  const expected = free.slice(0, free.indexOf(stop));
  assert.ok(expected.length > 0, `"${stop}" does not open ${JSON.stringify(free)}`);
  const stopped = await client.chat.completions.create({ ...long, stop: ["zzzz", stop] });
  assert.equal(stopped.choices[0].message.content, expected);
  assert.equal(stopped.choices[0].finish_reason, "stop");
  assert.ok(stopped.usage.completion_tokens < 48);
  const stoppedStream = await drain(client.chat.completions.create({ ...long, stop, stream: true }));
  assert.equal(stoppedStream.text, expected);
  assert.equal(stoppedStream.finish, "stop");
  const legacyStop = await client.completions.create({
    model,
    prompt: "Once upon a time",
    max_tokens: 40,
    stop: " girl",
  });
  assert.equal(legacyStop.choices[0].text, legacy.choices[0].text.split(" girl")[0]);
  assert.equal(legacyStop.choices[0].finish_reason, "stop");
});

test("a stream the client aborts is cancelled and frees its slot", { timeout: 30000 }, async (t) => {
  // One slot, as ADisconnectedStreamFreesItsSlot (tests/integration/openai_api_test.cc): if the
  // abandoned stream kept generating, the next request would wait for all of its 1,500
  // tokens (stories260K's context is 2,048); instead it is cancelled when the client goes.
  const { client, url } = await serve(["--model", stories, "--slots", "1"]);
  const abort = new AbortController();
  const stream = await client.completions.create(
    { model, prompt: "Once upon a time", max_tokens: 1500, stream: true },
    { signal: abort.signal },
  );
  // The openai client ends the iteration quietly once its request is aborted.
  let received = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.choices[0].finish_reason, null, "aborted before the end");
    if (++received === 5) {
      abort.abort();
      break; // the client still holds chunks it had read before the abort
    }
  }
  assert.equal(received, 5);
  assert.ok(abort.signal.aborted);

  // The slot is free: this one runs (after the cancelled one has left it).
  const next = await client.completions.create({ model, prompt: "Lily", max_tokens: 4 });
  assert.equal(next.usage.completion_tokens, 4);
  assert.equal(next.choices[0].finish_reason, "length");
  assert.equal(await metric(url, "docent_generation_cancelled_total"), 1);
  const generated = await metric(url, "docent_generated_tokens_total");
  t.diagnostic(`${generated} tokens generated in all (1,500 asked for by the aborted stream)`);
  assert.ok(generated < 1500);
  assert.equal(await metric(url, "docent_generation_running"), 0);
});

// The synthetic model slow enough to hold a slot while a test looks (see the 429 test).
async function slowModel() {
  const path = join(work, "tiny-llama-qwen-vocab.gguf");
  if (!existsSync(path)) {
    await runDocent(["synth-model", "--shape", "tiny-llama", "--type", "q4_0", "--vocab",
                     join(shared, "tokenizers/qwen3/tokenizer.json"), "-o", path]);
  }
  return path;
}

test("a request the client gives up on before its answer is cancelled", { timeout: 30000 }, async () => {
  // Not streamed: the server still watches the connection while the model writes, so a client
  // that times out or closes its tab does not hold the slot for all its max_tokens.
  const { client, url } = await serve(["--model", await slowModel(), "--slots", "1"]);
  const abort = new AbortController();
  const pending = client.chat.completions.create(
    { model: "tiny-llama-qwen-vocab", messages: [{ role: "user", content: "hi" }], max_tokens: 2000 },
    { signal: abort.signal },
  );
  await waitForMetric(url, "docent_generation_running", (v) => v === 1);
  abort.abort();
  // The client rejects with its abort error (an AbortError DOMException from fetch).
  await assert.rejects(pending, (err) => err instanceof APIUserAbortError || err.name === "AbortError");
  await waitForMetric(url, "docent_generation_cancelled_total", (v) => v === 1);
  assert.equal(await metric(url, "docent_generation_running"), 0);
  assert.ok((await metric(url, "docent_generated_tokens_total")) < 2000);
});

test("what docent cannot do is refused with 400, not ignored", { timeout: 30000 }, async () => {
  const { client } = await serve(["--model", stories]);
  const base = { model, messages: story, max_tokens: 4 };
  for (const extra of [
    { n: 2 },
    { tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }] },
    { response_format: { type: "json_object" } },
    { logprobs: true },
  ]) {
    await assert.rejects(client.chat.completions.create({ ...base, ...extra }), (err) => {
      assert.ok(err instanceof BadRequestError, `${JSON.stringify(extra)}: ${err}`);
      assert.equal(err.status, 400);
      return true;
    });
  }
  // Their harmless forms are accepted, as clients send them by default.
  const ok = await client.chat.completions.create({ ...base, n: 1, tools: [], logprobs: false,
                                                     response_format: { type: "text" } });
  assert.equal(ok.usage.completion_tokens, 4);
});

test("a full generation queue answers 429 with Retry-After", { timeout: 30000 }, async (t) => {
  // One slot and room for one waiting request. Deterministic by construction, not by speed:
  // a long stream takes the slot and a second request waits in the queue (both seen in
  // /metrics before going on), so the queue stays full until the stream ends, and requests
  // sent meanwhile must be refused. The stream only has to outlast a few loopback round
  // trips, but stories260K writes 2,000 tokens in about a second, so the holder runs on a
  // synthetic model of tiny-llama's shape with Qwen's 152k-token vocabulary (50 MB, written
  // in about a second), whose output layer makes it some 3x slower: ~3.5 s for 2,000 tokens,
  // of which it has written only ~15 when the refusals are back (the diagnostic below). It
  // does not write end-of-text for this prompt (fixed random weights, greedy), and the test
  // aborts it once the refusals are in; the queued request then runs.
  const slow = await slowModel();
  const { client, url } = await serve(["--model", slow, "--slots", "1", "--gen-queue", "1"]);
  const id = "tiny-llama-qwen-vocab";
  const messages = [{ role: "user", content: "hi" }];
  const abort = new AbortController();
  const holder = await client.chat.completions.create(
    { model: id, messages, max_tokens: 2000, stream: true },
    { signal: abort.signal },
  );
  await waitForMetric(url, "docent_generation_running", (v) => v === 1);
  const queued = client.chat.completions.create({ model: id, messages, max_tokens: 4 });
  await waitForMetric(url, "docent_generation_queue_depth", (v) => v === 1);

  const refused = await Promise.allSettled(
    [0, 1, 2, 3].map(() => client.chat.completions.create({ model: id, messages, max_tokens: 2000 })),
  );
  // Still one running and one waiting: the refusals met a full queue throughout.
  t.diagnostic(`the holder had written ${await metric(url, "docent_generated_tokens_total")} of 2,000 tokens`);
  assert.equal(await metric(url, "docent_generation_running"), 1, "the holder outlasted the refusals");
  assert.equal(await metric(url, "docent_generation_queue_depth"), 1);
  for (const r of refused) {
    assert.equal(r.status, "rejected", "a request beyond the queue is refused");
    assert.ok(r.reason instanceof RateLimitError, String(r.reason));
    assert.equal(r.reason.status, 429);
    const retry = r.reason.headers.get("retry-after");
    assert.match(retry ?? "", /^[1-9][0-9]*$/, "Retry-After in whole seconds");
    assert.equal(r.reason.type, "rate_limit_error");
  }

  // The holder goes, and the waiting request gets its turn.
  let held = 0;
  for await (const chunk of holder) {
    assert.equal(chunk.choices[0]?.finish_reason ?? null, null, "the holder was still going");
    held += 1;
    abort.abort();
    break;
  }
  assert.equal(held, 1);
  const answer = await queued;
  assert.equal(answer.usage.completion_tokens, 4);
  assert.equal(answer.choices[0].finish_reason, "length");
});

test("each request's text is the same alone or among fifteen others", { timeout: 30000 }, async (t) => {
  const prompts = [
    "Once upon a time",
    "Lily and Tom went to the park",
    "The little dog",
    "One day, a bird",
    "Tell me about the sun.",
    "Why is the sky blue?",
    "Sam had a red ball",
    "The cat sat",
  ];
  // Chat and completions, streamed and not, greedy and seeded sampling, 8-48 tokens.
  const requests = prompts.flatMap((prompt, p) =>
    [0, 1].map((k) => {
      const i = 2 * p + k;
      const body = { model, max_tokens: 8 + ((i * 13) % 41) };
      if (i % 4 < 2) body.temperature = 0;
      else Object.assign(body, { temperature: 0.8, seed: 1000 + i });
      return { chat: (i + p) % 2 === 0, stream: i % 3 === 0, prompt, body };
    }),
  );
  assert.equal(requests.length, 16);

  const { client, url } = await serve(["--model", stories, "--slots", "4"]);
  async function run({ chat, stream, prompt, body }) {
    const full = chat ? { ...body, messages: [{ role: "user", content: prompt }] } : { ...body, prompt };
    const endpoint = chat ? client.chat.completions : client.completions;
    if (stream) {
      const { text, finish } = await drain(endpoint.create({ ...full, stream: true }));
      return { text, finish };
    }
    const r = await endpoint.create(full);
    const choice = r.choices[0];
    return { text: chat ? choice.message.content : choice.text, finish: choice.finish_reason };
  }
  const together = await Promise.all(requests.map(run));
  // They were batched: fewer forward steps than tokens.
  const steps = await metric(url, "docent_generation_steps_total");
  const tokens = await metric(url, "docent_generated_tokens_total");
  t.diagnostic(`${tokens} tokens in ${steps} steps`);
  assert.ok(steps < tokens, `${tokens} tokens in ${steps} steps`);
  const alone = [];
  for (const r of requests) alone.push(await run(r));
  for (let i = 0; i < requests.length; ++i) {
    assert.ok(together[i].text.length > 0, `request ${i} wrote something`);
    assert.equal(together[i].text, alone[i].text, `request ${i}: ${JSON.stringify(requests[i])}`);
    assert.equal(together[i].finish, alone[i].finish, `request ${i}`);
  }
  // Sampling is in play: the first seeded request, greedy, writes something else.
  const seeded = requests.findIndex((r) => r.body.seed !== undefined);
  const greedy = await run({ ...requests[seeded], body: { ...requests[seeded].body, temperature: 0 } });
  assert.notEqual(greedy.text, alone[seeded].text);
});
