// Time to the first token of a generative answer with the passage KV store (`serve
// --context-cache fast`, after `docent warm`) against exact prefix reuse on a cold server,
// through the real HTTP API (issue 13's speed table).
//
//   corpus    the twelve policy files ../shared/tools/make_policy_corpus.py writes (five
//             passages make ~1,400 prompt tokens on the Qwen vocabulary)
//   model     synthetic Qwen2.5-0.5B Q4_0 by default (`docent synth-model`), --threads 2
//   exact     a copy of the data directory taken before warming; a freshly started server
//             (`--context-cache exact`), its first /v1/ask
//   fast      the warmed data directory; a freshly started server (`--context-cache fast`),
//             its first /v1/ask
// Each measurement is timings.first_token_ms of the first /v1/ask (max_tokens 8) of a new
// server; the figure is the median over --questions questions, with fast / exact beside it.
// Also: docent warm's throughput, the store's bytes per passage and the time to read a
// passage's entry from disk (page cache).
//
// usage: node bench/context_cache_bench.mjs [--model M.gguf] [--shape qwen2.5-0.5b]
//                                           [--corpus policy|korquad] [--docent PATH]
//                                           [--threads T] [--json]
import {spawnSync} from "node:child_process";
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync,
        statSync, writeFileSync} from "node:fs";
import {cpus, tmpdir} from "node:os";
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
const threads = option("--threads", "2");
const shape = option("--shape", "qwen2.5-0.5b");
const asJson = args.includes("--json");
const log = (...m) => console.error(...m);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const run = (argv) => {
  const r = spawnSync(docent, argv, {encoding: "utf8"});
  if (r.status !== 0) throw new Error(`docent ${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const model = option("--model", "") || syntheticModel(docent, root, shape, "q4_0", log);

const corpusName = option("--corpus", "policy");
let questions = [
  "Who reviews travel reimbursement requests above 220 euros, and within how many days?",
  "Who signs off an annual leave request above 30 euros, and within how many days?",
  "Within how many days is a remote work request reviewed by the security office?",
];

// The corpus as files in `dir`: the policy files, or (--corpus korquad) the first 120
// KorQuAD dev paragraphs as Korean Markdown files, with their own questions (the first three
// the documents answer are timed)
// (five such passages make a ~2,000-token prompt on the Qwen vocabulary).
function writeCorpus(dir) {
  if (corpusName === "policy") {
    const r = spawnSync("python3", [join(root, "../shared/tools/make_policy_corpus.py"), dir, "12"]);
    if (r.status !== 0) throw new Error("make_policy_corpus.py failed");
    return;
  }
  const set = join(root, "../shared/eval/korquad-dev");
  const lines = (f) => readFileSync(join(set, f), "utf8").split("\n").filter((l) => l.length);
  const paragraphs = lines("corpus.jsonl").slice(0, 120).map((l) => JSON.parse(l));
  mkdirSync(dir, {recursive: true});
  paragraphs.forEach((p, i) => writeFileSync(join(dir, `ko-${String(i).padStart(3, "0")}.md`),
                                             `# ${p.title}\n\n${p.text}\n`));
  const ids = new Set(paragraphs.map((p) => p._id));
  const gold = new Map(lines("qrels/test.tsv").slice(1).map((l) => l.split("\t"))
                           .map(([q, c]) => [q, c]));
  questions = lines("queries.jsonl").map((l) => JSON.parse(l))
                  .filter((q) => ids.has(gold.get(q._id))).slice(0, 10).map((q) => q.text);
}

async function firstAsk(data, mode, question) {
  const {server, base} = await startServer(docent, [
    "--data", data, "--model", model, "--threads", threads, "--slots", "1", "--context", "4096",
    "--context-cache", mode]);
  try {
    const res = await fetch(base + "/v1/ask", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({question, max_tokens: 8})});
    const body = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(body));
    return body;
  } finally {
    await stopServer(server);
  }
}

const work = mkdtempSync(join(tmpdir(), "docent-context-cache-bench-"));
try {
  const corpus = join(work, "corpus");
  writeCorpus(corpus);
  const warmed = join(work, "warmed"), cold = join(work, "cold");
  run(["add", "--data", warmed, corpus, "--quiet"]);
  cpSync(warmed, cold, {recursive: true});  // taken before warming

  log("docent warm");
  const t0 = now();
  const warmOut = run(["warm", "--data", warmed, "--model", model, "--threads", threads]);
  const warmS = now() - t0;
  const passages = Number(/done: ([0-9]+) computed/.exec(warmOut)[1]);
  const kvDir = join(warmed, "chunk-kv");
  const files = readdirSync(kvDir).filter((f) => f.endsWith(".kv"));
  const bytes = files.reduce((sum, f) => sum + statSync(join(kvDir, f)).size, 0);
  const reads = files.map((f) => {
    const t = now();
    readFileSync(join(kvDir, f));
    return now() - t;
  });

  const rows = [];
  for (const q of questions) {
    if (rows.length === 3) break;
    const exact = await firstAsk(cold, "exact", q);
    if (!exact.usage || exact.usage.prompt_tokens === 0) {
      log(`  (skipped, the documents do not answer it: ${q})`);
      continue;
    }
    const fast = await firstAsk(warmed, "fast", q);
    rows.push({question: q, exact_ms: exact.timings.first_token_ms,
               fast_ms: fast.timings.first_token_ms, prompt_tokens: fast.usage.prompt_tokens,
               stored: fast.usage.stored_prompt_tokens,
               recomputed: fast.usage.recomputed_prompt_tokens});
    log(`  ${q}\n    exact ${exact.timings.first_token_ms.toFixed(0)} ms, fast ` +
        `${fast.timings.first_token_ms.toFixed(0)} ms (${fast.usage.prompt_tokens} prompt tokens: ` +
        `${fast.usage.stored_prompt_tokens} stored, ${fast.usage.recomputed_prompt_tokens} computed)`);
  }
  const result = {
    cpu: cpus()[0].model, model, corpus: corpusName, threads: Number(threads),
    exact_first_token_ms: median(rows.map((x) => x.exact_ms)),
    fast_first_token_ms: median(rows.map((x) => x.fast_ms)),
    ratio: median(rows.map((x) => x.fast_ms / x.exact_ms)),
    warm_passages_per_s: passages / warmS,
    store_bytes_per_passage: bytes / Math.max(files.length, 1),
    entry_read_ms_median: 1000 * median(reads),
    rows,
  };
  if (asJson) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`first token, median of ${rows.length} questions: exact ${result.exact_first_token_ms.toFixed(0)} ms, ` +
                `fast ${result.fast_first_token_ms.toFixed(0)} ms, fast/exact ${result.ratio.toFixed(3)}`);
    console.log(`warm: ${result.warm_passages_per_s.toFixed(2)} passages/s; store: ` +
                `${(result.store_bytes_per_passage / 1e6).toFixed(2)} MB per passage; reading an entry: ` +
                `${result.entry_read_ms_median.toFixed(2)} ms (median, page cache)`);
  }
} finally {
  rmSync(work, {recursive: true, force: true});
}
