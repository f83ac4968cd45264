// The docent-rag model id through the official `openai` npm client: questions answered from
// the documents uploaded to a real `docent serve`, with the answer cited as [n] and the cited
// passages in a top-level "citations" array (on the last chunk when streamed). Without
// --model the answer is extractive, so its text and sources can be checked exactly; with
// stories260K, which writes nonsense, only the response's shape and that each [n] left in
// the text names a citation.
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI, { AuthenticationError } from "openai";
import { serverPool, upload, stories } from "./server.mjs";

const { serve } = serverPool("docent-openai-rag-");

const documents = [
  {
    name: "leave.md",
    text: "# Leave policy\n\nSick leave of more than three days requires a doctor's note.\n\n" +
      "Annual leave not taken by December carries over to March of the next year.\n",
  },
  {
    name: "security.txt",
    text: "Security handbook\n\nForward suspicious emails to the security desk and then delete them. " +
      "Never type your password into a page that a message linked to.\n",
  },
];
const answered = "Does sick leave need a doctor's note?";
const absent = "What is on the cafeteria menu this Friday?";

function ask(client, question, extra = {}) {
  return client.chat.completions.create({
    model: "docent-rag",
    messages: [
      { role: "system", content: "docent-rag writes its own prompt; this is ignored" },
      { role: "user", content: question },
    ],
    ...extra,
  });
}

// The n of each [n] marker in `text`, sorted and without repeats.
function markers(text) {
  return [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

// Each citation has the documented fields, one entry per n.
function checkCitations(citations) {
  assert.ok(Array.isArray(citations), `citations is an array: ${JSON.stringify(citations)}`);
  for (const c of citations) {
    for (const key of ["n", "doc_id", "chunk_id", "char_begin", "char_end", "score"]) {
      assert.equal(typeof c[key], "number", `citation.${key} in ${JSON.stringify(c)}`);
    }
    for (const key of ["title", "source", "location", "text"]) {
      assert.equal(typeof c[key], "string", `citation.${key} in ${JSON.stringify(c)}`);
    }
    assert.ok(c.char_begin < c.char_end);
  }
  assert.equal(new Set(citations.map((c) => c.n)).size, citations.length, "one entry per n");
}

// Reads a stream to the end: the text, the chunk with the finish_reason, and the ids.
async function drain(stream) {
  let text = "";
  let final = null;
  const ids = new Set();
  for await (const chunk of await stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    assert.equal(chunk.model, "docent-rag");
    ids.add(chunk.id);
    if (chunk.choices.length === 0) continue;
    text += chunk.choices[0].delta.content ?? "";
    if (chunk.choices[0].finish_reason !== null) {
      assert.equal(final, null, "one chunk carries the finish_reason");
      final = chunk;
    }
  }
  assert.equal(ids.size, 1, "one id for the whole stream");
  assert.ok(final, "a chunk with the finish_reason");
  return { text, final };
}

test("docent-rag answers extractively from the documents, cited, without a model", { timeout: 30000 }, async () => {
  const { client, url } = await serve([]);
  // docent-rag, and docent-rag:NAME for each workspace (here only "default").
  const models = (await client.models.list()).data.map((m) => m.id);
  assert.deepEqual(models, ["docent-rag", "docent-rag:default"]);
  const uploads = await upload(url, documents);
  const leaveId = uploads.find((u) => u.name === "leave.md").id;

  const plain = await ask(client, answered);
  assert.equal(plain.object, "chat.completion");
  assert.equal(plain.model, "docent-rag");
  assert.equal(plain.choices[0].message.role, "assistant");
  assert.equal(plain.choices[0].finish_reason, "stop");
  const content = plain.choices[0].message.content;
  assert.match(content, /doctor's note/);
  assert.match(content, /\[\d+\]/);
  checkCitations(plain.citations);
  assert.ok(plain.citations.length > 0);
  assert.deepEqual(plain.citations.map((c) => c.n).sort((a, b) => a - b), markers(content),
    "each [n] has a citation and each citation is cited");
  assert.deepEqual(plain.citations.map((c) => c.doc_id), plain.citations.map(() => leaveId),
    "only the leave policy says");
  const first = plain.citations.find((c) => c.n === markers(content)[0]);
  assert.equal(first.title, "Leave policy");
  assert.match(first.source, /leave\.md$/);
  assert.match(first.text, /doctor's note/);

  // Streamed: the same text, and the final chunk carries the same citations.
  const streamed = await drain(ask(client, answered, { stream: true }));
  assert.equal(streamed.text, content);
  assert.equal(streamed.final.choices[0].finish_reason, "stop");
  assert.deepEqual(streamed.final.citations, plain.citations);

  // The workspace named in the model id: the same answer from "default", and an OpenAI-shaped
  // 404 for a workspace that does not exist.
  const named = await ask(client, answered, { model: "docent-rag:default" });
  assert.equal(named.model, "docent-rag:default");
  assert.equal(named.choices[0].message.content, content);
  await assert.rejects(ask(client, answered, { model: "docent-rag:nope" }), (err) => {
    assert.equal(err.status, 404);
    assert.match(err.message, /no workspace nope/);
    return true;
  });

  // Nothing in the documents says: a plain not-found answer, citing nothing.
  const none = await ask(client, absent);
  assert.equal(typeof none.choices[0].message.content, "string");
  assert.ok(none.choices[0].message.content.length > 0);
  assert.deepEqual(none.citations, []);
  assert.deepEqual(markers(none.choices[0].message.content), []);
  const noneStreamed = await drain(ask(client, absent, { stream: true }));
  assert.equal(noneStreamed.text, none.choices[0].message.content);
  assert.deepEqual(noneStreamed.final.citations, []);
});

test("docent-rag with a model: a chat.completion whose [n] markers all name citations", { timeout: 30000 }, async () => {
  const { client, url } = await serve(["--model", stories, "--slots", "2"]);
  const models = (await client.models.list()).data.map((m) => m.id).sort();
  assert.deepEqual(models, ["docent-rag", "docent-rag:default", "stories260K"]);
  await upload(url, documents);

  const plain = await ask(client, answered, { max_tokens: 64 });
  assert.equal(plain.object, "chat.completion");
  assert.equal(plain.model, "docent-rag");
  const content = plain.choices[0].message.content;
  assert.equal(typeof content, "string");
  assert.ok(["stop", "length"].includes(plain.choices[0].finish_reason), plain.choices[0].finish_reason);
  checkCitations(plain.citations);
  const listed = new Set(plain.citations.map((c) => c.n));
  for (const n of markers(content)) assert.ok(listed.has(n), `[${n}] in ${JSON.stringify(content)} has a citation`);
  assert.ok(plain.usage.prompt_tokens > 0, "the model read the passages");

  // Greedy, so streamed it writes the same, and the final chunk has the same citations.
  const streamed = await drain(ask(client, answered, { max_tokens: 64, stream: true }));
  assert.equal(streamed.text, content);
  assert.deepEqual(streamed.final.citations, plain.citations);

  // As for any OpenAI model, max_tokens bounds the answer.
  assert.ok(plain.usage.completion_tokens <= 64, `${plain.usage.completion_tokens} tokens for max_tokens 64`);
});

test("with an API key, the client's key is checked", { timeout: 30000 }, async () => {
  // The key comes from the environment the server starts with ($DOCENT_API_KEY).
  process.env.DOCENT_API_KEY = "team-secret";
  let server;
  try {
    server = await serve([]);
  } finally {
    delete process.env.DOCENT_API_KEY;
  }
  const base = { baseURL: `${server.url}/v1`, maxRetries: 0 };
  await assert.rejects(new OpenAI({ ...base, apiKey: "wrong" }).models.list(), (err) => {
    assert.ok(err instanceof AuthenticationError, String(err));
    assert.equal(err.status, 401);
    return true;
  });
  const models = await new OpenAI({ ...base, apiKey: "team-secret" }).models.list();
  assert.ok(models.data.some((m) => m.id === "docent-rag"));
});
