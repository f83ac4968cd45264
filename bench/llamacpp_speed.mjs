// llama.cpp's speed on a GGUF model, measured the way `docent bench --json` measures docent's,
// so bench/llm_vs_llamacpp.sh can quote one against the other in the same run:
//   pp  prompt processing: a 512-token prompt (real text, tokenised by the model) evaluated
//       from an empty cache, timed to the first sampled token;
//   tg  generation: the next 128 tokens, greedy (temperature 0, no penalties), one decode each,
//       right after that prompt;
//   peak_rss_mb  this process's VmHWM (the mapped model's resident pages included, as they
//       are for docent).
// llama.cpp is node-llama-cpp's prebuilt CPU binary (no GPU, no build), classic attention
// (flash attention off, as the differential tests run it), batch 512, F16 KV cache.
//
// usage: node bench/llamacpp_speed.mjs MODEL.gguf [--threads T] [--prompt-tokens 512]
//                                      [--gen-tokens 128] [--no-warmup] [--cpu-build native|oracle]
// Prints one JSON line: {"pp_tok_s":…, "tg_tok_s":…, "peak_rss_mb":…, "cpu_build":…, …}.
//
// ES modules resolve packages from the script's own folder, so node-llama-cpp is taken by an
// explicit path: by default (native) from tests/oracle/.native-cpu, the copy with every ggml
// CPU build that scripts/install-deps.sh keeps, so ggml loads the build it would pick for a
// user of this CPU (zen4 on a Zen 4/5 or Sapphire Rapids, haswell on an AVX2-only chip);
// `--cpu-build oracle` takes the differential tests' copy, pinned to haswell. cpu_build names
// the library ggml loaded.
import {createRequire} from "node:module";
import {readFileSync} from "node:fs";
import {pathToFileURL} from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const modelPath = args[0];
if (!modelPath || modelPath.startsWith("--")) {
  console.error("usage: node llamacpp_speed.mjs MODEL.gguf [--threads T] [--prompt-tokens N] " +
                "[--gen-tokens N] [--no-warmup]");
  process.exit(2);
}
const threads = Number(option("--threads", "2"));
const promptTokens = Number(option("--prompt-tokens", "512"));
const genTokens = Number(option("--gen-tokens", "128"));
const warmup = !args.includes("--no-warmup");
const cpuBuildChoice = option("--cpu-build", "native");
if (cpuBuildChoice !== "native" && cpuBuildChoice !== "oracle") {
  console.error(`--cpu-build must be native or oracle, not '${cpuBuildChoice}'`);
  process.exit(2);
}

const oracleDir = new URL("../tests/oracle/", import.meta.url);
const packagesDir = cpuBuildChoice === "native" ? new URL(".native-cpu/", oracleDir) : oracleDir;
let entry;
try {
  entry = createRequire(new URL("package.json", packagesDir)).resolve("node-llama-cpp");
} catch {
  console.error(`node-llama-cpp is not installed in ${packagesDir.pathname} ` +
                "(scripts/install-deps.sh installs both copies)");
  process.exit(1);
}
const {getLlama} = await import(pathToFileURL(entry).href);
const {loadCpuLlama} = await import("./lib/llama.mjs");

// Text to tokenise: abstracts from the shared SciFact corpus, else a fixed paragraph repeated.
function promptText() {
  try {
    const corpus = readFileSync(new URL("../../shared/eval/scifact/corpus.jsonl", oracleDir),
                                "utf8");
    return corpus.split("\n").slice(0, 40).filter((l) => l.length > 0)
        .map((l) => JSON.parse(l).text).join("\n\n");
  } catch {
    return ("The committee reviewed the annual report and found that the number of documents " +
            "processed by the archive had doubled since the previous year, while the time " +
            "needed to answer a question had fallen by a third. ").repeat(60);
  }
}

const peakRssMb = () => {
  const m = readFileSync("/proc/self/status", "utf8").match(/VmHWM:\s+(\d+)\s+kB/);
  return m ? Number(m[1]) / 1024 : null;
};

const {llama, cpuBuild} = await loadCpuLlama(getLlama);
const model = await llama.loadModel({modelPath});
const context = await model.createContext({
  contextSize: Math.max(1024, promptTokens + genTokens + 16), batchSize: 512, threads,
  flashAttention: false, sequences: 1});
const sequence = context.getSequence();

let prompt = Array.from(model.tokenize(promptText(), false));
const bos = model.tokens.bos;
if (model.tokens.shouldPrependBosToken && bos != null) prompt.unshift(bos);
if (prompt.length < promptTokens) {
  console.error(`the prompt text gives only ${prompt.length} tokens`);
  process.exit(1);
}
prompt = prompt.slice(0, promptTokens);

// A short evaluation first, as llama-bench does: the first decode pays for page faults of
// the mapped weights and one-off allocations, which are not the steady speed.
if (warmup) {
  await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 16));
  await sequence.clearHistory();
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const t0 = now();
let t1 = 0;
let generated = 0;
// The generator evaluates the prompt and yields its first token, then one token per decode.
for await (const _token of sequence.evaluate(prompt, {temperature: 0})) {
  if (generated === 0) t1 = now();
  if (generated === genTokens) break;
  ++generated;
}
const t2 = now();

console.log(JSON.stringify({
  engine: "llama.cpp",
  model: modelPath,
  threads,
  pp_tokens: promptTokens,
  tg_tokens: genTokens,
  pp_tok_s: promptTokens / (t1 - t0),
  tg_tok_s: genTokens / (t2 - t1),
  peak_rss_mb: peakRssMb(),
  cpu_build: cpuBuild(),
}));
process.exit(0);
