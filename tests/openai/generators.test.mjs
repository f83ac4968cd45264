// A front node whose answers are written by remote generators, through the official `openai`
// npm client: two docent generator nodes (`serve --model M --generate-only`) behind a front
// (`serve --generator URL --generator URL`), against an in-process `serve --model M` over the
// same documents. docent-rag answers from the front are the in-process ones, text and
// citations (greedy, and the front's prompt reaches a docent generator as the same tokens);
// the pool's model id is listed and forwarded, streamed and not, with the generator's own text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverPool, upload, stories } from "./server.mjs";

const { serve } = serverPool("docent-openai-generators-");

const documents = [
  {
    name: "leave.md",
    text: "# Leave policy\n\nSick leave of more than three days requires a doctor's note.\n\n" +
      "Annual leave not taken by December carries over to March of the next year.\n",
  },
  {
    name: "travel.md",
    text: "# Travel\n\nA travel reimbursement above 300 euros is approved by the department head.\n",
  },
];
const questions = [
  "Does sick leave need a doctor's note?",
  "Who approves a travel reimbursement above 300 euros?",
  "When does untaken annual leave carry over to?",
];

async function drain(stream) {
  let text = "";
  let last = null;
  for await (const chunk of await stream) {
    if (chunk.choices.length === 0) continue;
    text += chunk.choices[0].delta.content ?? "";
    if (chunk.choices[0].finish_reason !== null) last = chunk;
  }
  return { text, last };
}

test("docent-rag through a front node is the in-process answer; pool models are forwarded", { timeout: 60000 }, async () => {
  const g1 = await serve(["--model", stories, "--generate-only"]);
  const g2 = await serve(["--model", stories, "--generate-only"]);
  const front = await serve(["--answer-cache-mb", "0", "--generator", `${g1.url}/v1`, "--generator", `${g2.url}/v1`]);
  const local = await serve(["--answer-cache-mb", "0", "--model", stories]);
  await upload(front.url, documents);
  await upload(local.url, documents);

  const ids = (await front.client.models.list()).data.map((m) => m.id);
  assert.ok(ids.includes("docent-rag"), ids.join());
  assert.ok(ids.includes("stories260K"), `the pool's model is listed: ${ids.join()}`);
  const generatorIds = (await g1.client.models.list()).data.map((m) => m.id);
  assert.deepEqual(generatorIds, ["stories260K"], "a generator node lists only its model");

  for (const question of questions) {
    const ask = (client) =>
      client.chat.completions.create({
        model: "docent-rag",
        max_tokens: 32,
        messages: [{ role: "user", content: question }],
      });
    const [remote, inproc] = await Promise.all([ask(front.client), ask(local.client)]);
    assert.ok(inproc.choices[0].message.content.length > 0, question);
    assert.equal(remote.choices[0].message.content, inproc.choices[0].message.content, question);
    assert.deepEqual(remote.citations, inproc.citations, question);
    assert.equal(remote.usage.prompt_tokens, inproc.usage.prompt_tokens, question);
    assert.equal(remote.usage.completion_tokens, inproc.usage.completion_tokens, question);

    const streamed = await drain(
      front.client.chat.completions.create({
        model: "docent-rag",
        max_tokens: 32,
        stream: true,
        messages: [{ role: "user", content: question }],
      }),
    );
    assert.equal(streamed.text, inproc.choices[0].message.content, `streamed: ${question}`);
    assert.deepEqual(streamed.last.citations, inproc.citations, `streamed: ${question}`);
  }

  // The pool's model, forwarded: the generator's own answer, streamed and not.
  const chat = { model: "stories260K", max_tokens: 16, messages: [{ role: "user", content: "Tell me a story." }] };
  const direct = await g2.client.chat.completions.create(chat);
  const forwarded = await front.client.chat.completions.create(chat);
  assert.equal(forwarded.choices[0].message.content, direct.choices[0].message.content);
  assert.equal(forwarded.usage.completion_tokens, direct.usage.completion_tokens);
  const forwardedStream = await drain(front.client.chat.completions.create({ ...chat, stream: true }));
  assert.equal(forwardedStream.text, direct.choices[0].message.content);
  assert.equal(forwardedStream.last.choices[0].finish_reason, direct.choices[0].finish_reason);
});
