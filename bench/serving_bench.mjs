// Serving speed through the real HTTP interface: `docent serve --model` on a loopback port,
// timed by a client, with each figure a ratio against a baseline measured in the same run.
//
//   prefix reuse  A chat whose system message holds ~2,000 tokens of passages (SciFact
//                 abstracts) and a question; then a different question over the same
//                 passages. Time to first token (the first chunk with text) of the second
//                 over the first; each run uses new passages, so every first ask is cold.
//                 Target: <= 0.2.
//   concurrency   8 streams at once (128-token prompts, 128 tokens each, all different)
//                 against one stream alone: total generated tokens per second of the 8 over
//                 the one's. Target: >= 3.
//   llama.cpp     The first ask's time to first token and total answer time against
//                 llama.cpp (node-llama-cpp's CPU build, bench/llamacpp_speed.mjs) processing
//                 a prompt of the same length and generating as many tokens.
// Medians of --runs runs; the machine is shared, so only the ratios mean much.
//
// usage: node bench/serving_bench.mjs [--model M.gguf] [--docent PATH] [--threads T]
//                                     [--runs N] [--no-llamacpp] [--json]
// The default model is the synthetic Qwen2.5-0.5B Q4_0 (`docent synth-model --shape
// qwen2.5-0.5b --type q4_0`), written once into build/bench-models/.
import {spawnSync} from "node:child_process";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

import {startServer, stopServer, syntheticModel} from "./lib/serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const docent = option("--docent", join(root, "build/docent"));
const threads = Number(option("--threads", "2"));
const runs = Number(option("--runs", "3"));
const withLlamaCpp = !args.includes("--no-llamacpp");
const asJson = args.includes("--json");
const log = (...m) => console.error(...m);

const model = option("--model", "") || syntheticModel(docent, root, "qwen2.5-0.5b", "q4_0", log);

// Real English text to cut prompts from.
const abstracts = readFileSync(join(root, "../shared/eval/scifact/corpus.jsonl"), "utf8")
    .split("\n").filter((l) => l.length > 0).slice(0, 2000).map((l) => JSON.parse(l).text);
let nextAbstract = 0;
// About `chars` characters of abstracts not used before in this run.
function freshText(chars) {
  let text = "";
  while (text.length < chars) text += abstracts[nextAbstract++ % abstracts.length] + "\n\n";
  return text.slice(0, chars);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e9;

// The server.
const data = mkdtempSync(join(tmpdir(), "docent-serving-bench-"));
const {server, base} = await startServer(docent, [
  "--data", data, "--model", model, "--threads", String(threads), "--slots", "8",
  "--context", "4096"]);
const stop = () => {
  server.kill("SIGTERM");
  rmSync(data, {recursive: true, force: true});
};

// One streamed request; times from sending to the first text and to the end.
async function stream(path, body) {
  const t0 = now();
  const res = await fetch(base + path, {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({...body, stream: true, stream_options: {include_usage: true},
                          temperature: 0})});
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  let first = 0, usage = null, buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of res.body) {
    buffer += decoder.decode(bytes, {stream: true});
    let at;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const chunk = JSON.parse(event.slice(6));
      if (chunk.usage) usage = chunk.usage;
      const c = chunk.choices?.[0];
      const text = c?.delta?.content ?? c?.text ?? "";
      if (!first && text.length > 0) first = now();
    }
  }
  const end = now();
  return {ttft: first - t0, total: end - t0, usage, start: t0, end};
}

const chat = (system, question, maxTokens) => ({
  messages: [{role: "system", content: system}, {role: "user", content: question}],
  max_tokens: maxTokens});

try {
  // Warm-up: page in the mapped weights.
  await stream("/v1/completions", {prompt: freshText(200), max_tokens: 4});

  log("prefix reuse: ~2,000 tokens of passages, two questions");
  const prefix = [];
  for (let r = 0; r < runs; ++r) {
    const passages = "Answer only from these passages.\n\n" + freshText(9300);
    const a = await stream("/v1/chat/completions",
                           chat(passages, "What do the passages say about cell growth?", 16));
    const b = await stream("/v1/chat/completions",
                           chat(passages, "Which methods did the studies use?", 16));
    prefix.push({first: a, second: b, ratio: b.ttft / a.ttft});
    log(`  run ${r + 1}: prompt ${a.usage.prompt_tokens} tokens, first ask ${a.ttft.toFixed(3)} s, ` +
        `second ${b.ttft.toFixed(3)} s (${b.usage.prompt_tokens_details.cached_tokens} cached), ` +
        `ratio ${(b.ttft / a.ttft).toFixed(3)}`);
  }

  log("concurrency: 8 streams of 128 tokens against one");
  const concurrency = [];
  const promptChars = 560;  // ~128 Qwen tokens of English
  for (let r = 0; r < runs; ++r) {
    const one = await stream("/v1/completions", {prompt: freshText(promptChars), max_tokens: 128});
    const many = await Promise.all(Array.from({length: 8}, () =>
      stream("/v1/completions", {prompt: freshText(promptChars), max_tokens: 128})));
    // Generation: a stream's tokens after its first over the time after its first (the
    // prompt's share is time to first token, above); 8 streams: the sum of their rates.
    const genRate = (m) => (m.usage.completion_tokens - 1) / (m.end - m.start - m.ttft);
    const oneRate = genRate(one);
    const manyRate = many.reduce((s, m) => s + genRate(m), 0);
    // End to end: all generated tokens over the whole span, prompts included.
    const tokens = many.reduce((s, m) => s + m.usage.completion_tokens, 0);
    const span = Math.max(...many.map((m) => m.end)) - Math.min(...many.map((m) => m.start));
    const oneE2e = one.usage.completion_tokens / one.total, manyE2e = tokens / span;
    concurrency.push({one: oneRate, eight: manyRate, ratio: manyRate / oneRate,
                      one_e2e: oneE2e, eight_e2e: manyE2e, ratio_e2e: manyE2e / oneE2e,
                      prompt_tokens: one.usage.prompt_tokens});
    log(`  run ${r + 1}: generation: one stream ${oneRate.toFixed(1)} tok/s, 8 streams ` +
        `${manyRate.toFixed(1)} tok/s in total, ratio ${(manyRate / oneRate).toFixed(2)}; end ` +
        `to end (prompts of ${one.usage.prompt_tokens} tokens included): ${oneE2e.toFixed(1)} vs ` +
        `${manyE2e.toFixed(1)} tok/s, ratio ${(manyE2e / oneE2e).toFixed(2)}`);
  }
  stop();

  const result = {
    model, threads, runs,
    prefix_reuse: {
      prompt_tokens: prefix[0].first.usage.prompt_tokens,
      first_ttft_s: median(prefix.map((p) => p.first.ttft)),
      second_ttft_s: median(prefix.map((p) => p.second.ttft)),
      ratio: median(prefix.map((p) => p.ratio)),
    },
    concurrency: {
      one_stream_tok_s: median(concurrency.map((c) => c.one)),
      eight_streams_tok_s: median(concurrency.map((c) => c.eight)),
      ratio: median(concurrency.map((c) => c.ratio)),
      one_stream_end_to_end_tok_s: median(concurrency.map((c) => c.one_e2e)),
      eight_streams_end_to_end_tok_s: median(concurrency.map((c) => c.eight_e2e)),
      end_to_end_ratio: median(concurrency.map((c) => c.ratio_e2e)),
    },
  };

  if (withLlamaCpp) {
    log("llama.cpp: the same prompt length, the same number of tokens");
    const genTokens = 16;
    const cells = [];
    for (let r = 0; r < runs; ++r) {
      const out = spawnSync("node", [join(root, "bench/llamacpp_speed.mjs"), model, "--threads",
                                     String(threads), "--prompt-tokens",
                                     String(result.prefix_reuse.prompt_tokens),
                                     "--gen-tokens", String(genTokens)], {encoding: "utf8"});
      if (out.status !== 0) throw new Error("llamacpp_speed.mjs failed: " + out.stderr);
      const j = JSON.parse(out.stdout.trim().split("\n").pop());
      const ttft = j.pp_tokens / j.pp_tok_s;
      cells.push({ttft, total: ttft + genTokens / j.tg_tok_s});
      log(`  run ${r + 1}: time to first token ${ttft.toFixed(3)} s`);
    }
    const docentTotal = median(prefix.map((p) => p.first.total));
    result.llamacpp = {
      ttft_s: median(cells.map((c) => c.ttft)),
      total_s: median(cells.map((c) => c.total)),
      docent_ttft_s: result.prefix_reuse.first_ttft_s,
      docent_total_s: docentTotal,
      docent_second_ttft_s: result.prefix_reuse.second_ttft_s,
    };
    result.llamacpp.ttft_ratio = result.llamacpp.docent_ttft_s / result.llamacpp.ttft_s;
    result.llamacpp.total_ratio = result.llamacpp.docent_total_s / result.llamacpp.total_s;
  }

  if (asJson) {
    console.log(JSON.stringify(result));
  } else {
    const p = result.prefix_reuse, c = result.concurrency;
    console.log(`model ${model}, ${threads} threads, medians of ${runs} runs`);
    console.log(`prefix reuse   (${p.prompt_tokens}-token prompt)  first ask ${p.first_ttft_s.toFixed(3)} s, ` +
                `second ${p.second_ttft_s.toFixed(3)} s  ratio ${p.ratio.toFixed(3)}  (target <= 0.2)`);
    console.log(`concurrency    one stream ${c.one_stream_tok_s.toFixed(1)} tok/s, 8 streams ` +
                `${c.eight_streams_tok_s.toFixed(1)} tok/s  ratio ${c.ratio.toFixed(2)}  (target >= 3); ` +
                `end to end ${c.one_stream_end_to_end_tok_s.toFixed(1)} vs ` +
                `${c.eight_streams_end_to_end_tok_s.toFixed(1)} tok/s  ratio ${c.end_to_end_ratio.toFixed(2)}`);
    if (result.llamacpp) {
      const l = result.llamacpp;
      console.log(`vs llama.cpp   time to first token docent ${l.docent_ttft_s.toFixed(3)} s, ` +
                  `llama.cpp ${l.ttft_s.toFixed(3)} s  ratio ${l.ttft_ratio.toFixed(3)}; answer ` +
                  `(16 tokens) ${l.docent_total_s.toFixed(3)} s vs ${l.total_s.toFixed(3)} s  ratio ` +
                  `${l.total_ratio.toFixed(3)}; with the passages cached docent ` +
                  `${l.docent_second_ttft_s.toFixed(3)} s`);
    }
  }
} catch (err) {
  stop();
  console.error(err);
  process.exit(1);
}
process.exit(0);
