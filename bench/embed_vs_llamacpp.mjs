// Embedding speed against llama.cpp on the same files, the same ids and the same machine:
// throughput at ingest (passages of 256 tokens, one after another, 2 threads) and query latency
// (a short question), on synthetic models in the exact shapes of multilingual-e5-small (CI
// size) and, with --models, bge-m3 (1.1 GB in F16: benchmarks only) or qwen3
// (Qwen3-Embedding-0.6B: a decoder with last-token pooling, Qwen's real vocabulary).
//
//   node bench/embed_vs_llamacpp.mjs [--runs 3] [--threads 2] [--models e5:f16,e5:q8_0]
//                                    [--passages 32] [--cache build/bench-models] [--json]
//
// Models: `docent synth-model --shape multilingual-e5-small|bge-m3 --vocab V.model` with V a
// SentencePiece Unigram vocabulary spm_train makes once from the shared KorQuAD and SQuAD
// passages (8,000 pieces; the shapes' tables keep their real row counts). The ids: 32
// passages of exactly 256 tokens (Korean and English alternately) and 8 questions, tokenised
// by llama.cpp (docent's ids are the same, tests/llm/embedder_oracle_test.cc). docent:
// build/bench/embed_bench; llama.cpp: bench/llamacpp_embed_speed.mjs (node-llama-cpp 3.22.1's
// CPU build for this CPU). The engines run alternately --runs times; medians and ratios.
import {execFileSync} from "node:child_process";
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {cpus} from "node:os";
import {fileURLToPath} from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(option("--runs", "3"));
const threads = option("--threads", "2");
const cache = option("--cache", `${root}/build/bench-models`);
const shapes = {e5: "multilingual-e5-small", "bge-m3": "bge-m3",
                "qwen3": "qwen3-embedding-0.6b"};
const models = option("--models", "e5:f16,e5:q8_0").split(",").map((m) => m.split(":"));
const passages = Number(option("--passages", "32"));  // of the 32 the ids file holds
mkdirSync(cache, {recursive: true});

const run = (cmd, argv) => execFileSync(cmd, argv, {encoding: "utf8", maxBuffer: 1 << 26});

// The vocabulary, once.
const vocab = `${cache}/spm-unigram-8000.model`;
if (!existsSync(vocab)) {
  const lines = [];
  for (const set of ["korquad-dev", "squad-dev"]) {
    for (const l of readFileSync(`${root}/../shared/eval/${set}/corpus.jsonl`, "utf8").split("\n")) {
      if (l.length === 0) continue;
      const d = JSON.parse(l);
      lines.push(d.title, d.text);
    }
  }
  writeFileSync(`${cache}/spm-train.txt`, lines.join("\n") + "\n");
  run("spm_train", [`--input=${cache}/spm-train.txt`, `--model_prefix=${cache}/spm-unigram-8000`,
                    "--vocab_size=8000", "--model_type=unigram",
                    "--normalization_rule_name=nmt_nfkc", "--character_coverage=0.9995",
                    "--num_threads=2", "--minloglevel=2"]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const results = [];
for (const [shape, type] of models) {
  const name = shapes[shape] ?? shape;
  const file = `${cache}/${name}-${type}.gguf`;
  if (!existsSync(file)) {
    // The XLM-R shapes take the trained vocabulary; Qwen3's its own (Qwen's real one).
    const vocabFlag = name.startsWith("qwen3") ? [] : ["--vocab", vocab];
    run(`${root}/build/docent`, ["synth-model", "--shape", name, "--type", type, ...vocabFlag,
                                 "-o", file]);
  }
  const ids = `${cache}/${name}-ids.txt`, queries = `${cache}/${name}-queries.txt`;
  if (!existsSync(ids)) {
    run("node", [`${root}/bench/llamacpp_embed_speed.mjs`, file, "--make-ids", ids,
                 "--query-out", queries]);
  }
  const timed = `${cache}/${name}-ids-${passages}.txt`;
  writeFileSync(timed, readFileSync(ids, "utf8").split("\n").filter((l) => l.length > 0)
                           .slice(0, passages).join("\n") + "\n");
  const docent = [], llama = [];
  let cpuBuild = "";
  for (let r = 0; r < runs; ++r) {
    docent.push(JSON.parse(run(`${root}/build/bench/embed_bench`,
                               [file, "--ids", timed, "--query-ids", queries, "--threads", threads])));
    const l = JSON.parse(run("node", [`${root}/bench/llamacpp_embed_speed.mjs`, file, "--ids", timed,
                                      "--query-ids", queries, "--threads", threads]));
    cpuBuild = l.cpu_build;
    llama.push(l);
  }
  const row = {
    model: `${name} ${type}`,
    docent_passages_s: median(docent.map((d) => d.passages_per_s)),
    llamacpp_passages_s: median(llama.map((d) => d.passages_per_s)),
    docent_query_ms: median(docent.map((d) => d.query_ms)),
    llamacpp_query_ms: median(llama.map((d) => d.query_ms)),
    llamacpp_cpu_build: cpuBuild,
  };
  row.throughput_ratio = row.docent_passages_s / row.llamacpp_passages_s;
  row.latency_ratio = row.llamacpp_query_ms / row.docent_query_ms;
  results.push(row);
}
const cpu = cpus()[0]?.model ?? "unknown CPU";
if (args.includes("--json")) {
  console.log(JSON.stringify({cpu, threads: Number(threads), runs, results}));
} else {
  console.log(`${cpu}, ${threads} threads, medians of ${runs} runs (${passages} passages of 256 tokens)`);
  console.log("model                        passages/s docent  llama.cpp  ratio | query ms docent  llama.cpp  speed-up");
  for (const r of results) {
    console.log(`${r.model.padEnd(28)} ${r.docent_passages_s.toFixed(2).padStart(17)} ` +
                `${r.llamacpp_passages_s.toFixed(2).padStart(10)} ${r.throughput_ratio.toFixed(2).padStart(6)}x | ` +
                `${r.docent_query_ms.toFixed(2).padStart(15)} ${r.llamacpp_query_ms.toFixed(2).padStart(10)} ` +
                `${r.latency_ratio.toFixed(2).padStart(8)}x`);
  }
}
