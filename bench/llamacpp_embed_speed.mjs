// llama.cpp's embedding speed on token ids, measured as bench/embed_bench.cc measures docent's
// (the two halves of bench/embed_vs_llamacpp.mjs):
//   passages_per_s  each passage of the ids file through getEmbeddingFor, one after another,
//                   after one warm-up passage;
//   query_ms        the median time to embed the query ids, of `reps` runs.
// llama.cpp is node-llama-cpp 3.22.1's prebuilt CPU library (the build ggml picks for this CPU,
// from tests/oracle/.native-cpu), an embedding context of 512 positions, batch 512, flash
// attention off.
//
// usage: node bench/llamacpp_embed_speed.mjs MODEL.gguf --ids FILE [--query-ids FILE]
//                                            [--threads 2] [--reps 20]
//        node bench/llamacpp_embed_speed.mjs MODEL.gguf --make-ids OUT --query-out QOUT
//                                            [--count 32] [--length 256]
// The second form writes the ids files: `count` passages of exactly `length` tokens (BOS,
// text from the shared KorQuAD and SQuAD passages, EOS) and eight short questions.
import {createRequire} from "node:module";
import {readFileSync, writeFileSync} from "node:fs";
import {pathToFileURL} from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const modelPath = args[0];
const oracleDir = new URL("../tests/oracle/", import.meta.url);
const entry = createRequire(new URL(".native-cpu/package.json", oracleDir))
                  .resolve("node-llama-cpp");
const {getLlama} = await import(pathToFileURL(entry).href);
const {loadCpuLlama} = await import("./lib/llama.mjs");

const {llama, cpuBuild} = await loadCpuLlama(getLlama);
const model = await llama.loadModel({modelPath});
const open = model.tokens.bos;
const close = model.tokens.eos ?? model.tokens.sep;

if (args.includes("--make-ids")) {
  const count = Number(option("--count", "32"));
  const length = Number(option("--length", "256"));
  const texts = [];
  for (const set of ["korquad-dev", "squad-dev"]) {
    const lines = readFileSync(new URL(`../../shared/eval/${set}/corpus.jsonl`, import.meta.url), "utf8")
                      .split("\n").filter((l) => l.length > 0);
    texts.push(...lines.slice(0, 200).map((l) => JSON.parse(l).text));
  }
  const passages = [];
  let pending = [];
  for (let i = 0; passages.length < count && i < texts.length; ++i) {
    // Korean and English alternately.
    const text = texts[(i % 2) * 200 + Math.floor(i / 2)];
    pending.push(...model.tokenize(text, false));
    if (pending.length >= length - 2) {
      passages.push([open, ...pending.slice(0, length - 2), close]);
      pending = [];
    }
  }
  writeFileSync(option("--make-ids", "ids.txt"), passages.map((p) => p.join(",")).join("\n") + "\n");
  const questions = ["How many days of annual leave does an employee get?",
                     "연차 휴가는 며칠인가요?", "Who approves a travel request above 300 euros?",
                     "보안 교육은 언제 받아야 하나요?", "What is the maximum payload of the robot?",
                     "분실물은 어디에 신고하나요?", "When does the leave year start?",
                     "출장비 정산 기한은 언제인가요?"];
  const queries = questions.map((q) => [open, ...model.tokenize(q, false), close]);
  writeFileSync(option("--query-out", "queries.txt"), queries.map((q) => q.join(",")).join("\n") + "\n");
  process.exit(0);
}

const readIds = (path) => readFileSync(path, "utf8").split("\n").filter((l) => l.length > 0)
                              .map((l) => l.split(",").map(Number));
const threads = Number(option("--threads", "2"));
const reps = Number(option("--reps", "20"));
const passages = readIds(option("--ids", "ids.txt"));
const context = await model.createEmbeddingContext({contextSize: 512, batchSize: 512, threads});
const now = () => Number(process.hrtime.bigint()) / 1e9;
await context.getEmbeddingFor(passages[0]);  // warm-up
const t0 = now();
let tokens = 0;
for (const p of passages) {
  await context.getEmbeddingFor(p);
  tokens += p.length;
}
const seconds = now() - t0;
let queryMs = 0;
const queryPath = option("--query-ids", null);
if (queryPath) {
  const queries = readIds(queryPath);
  const times = [];
  for (let r = 0; r < reps; ++r) {
    const q0 = now();
    await context.getEmbeddingFor(queries[r % queries.length]);
    times.push((now() - q0) * 1000);
  }
  times.sort((a, b) => a - b);
  queryMs = times[Math.floor(times.length / 2)];
}
console.log(JSON.stringify({passages_per_s: passages.length / seconds,
                            tokens_per_s: tokens / seconds, query_ms: queryMs,
                            passages: passages.length, threads, cpu_build: cpuBuild()}));
process.exit(0);
