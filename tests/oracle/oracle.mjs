// docent's llama.cpp oracle for differential model tests (run by tests/llm/model_oracle_test.cc,
// or by hand). llama.cpp comes from node-llama-cpp's prebuilt CPU binary in ./node_modules
// (npm ci --omit=optional here); this script must live beside that folder, because ES modules
// resolve packages from the script's own location.
//
// usage: node oracle.mjs MODEL.gguf (--ids 1,2,3 | --text "prompt") [--n 64] [--prob-steps 4]
//                        [--top-k 10] [--threads 1] [--flash-attention on|off]
// Prints one JSON object:
//   prompt_ids  the prompt as evaluated (--ids verbatim; --text tokenised with BOS when the
//               model asks for it)
//   greedy_ids  greedy continuation at temperature 0 (no penalties), at most --n tokens,
//               stopping early at an end-of-generation token (unless --ignore-eos: random
//               synthetic models emit one by chance)
//   cpu_build   the ggml CPU library llama.cpp loaded, e.g. "haswell" (scripts/install-deps.sh
//               leaves only that one, so every CPU is compared with the same llama.cpp sums)
//   steps       for s = 0 .. prob-steps-1: the top --top-k probabilities of the full softmax
//               (temperature 1, no truncation) after prompt + greedy_ids[0..s), each evaluated
//               after clearing the sequence's history, so no state leaks between steps
import {loadLlama} from "./load_llama.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const modelPath = args[0];
const nGenerate = Number(option("--n", "64"));
const probSteps = Number(option("--prob-steps", "4"));
const topK = Number(option("--top-k", "10"));
const threads = Number(option("--threads", "1"));
// Off by default: llama.cpp's CPU flash attention accumulates the value sum in F16, which on
// its own moves stories260K's probabilities by ~1e-3; the classic path (F16 cache, F32 sums)
// is the reference docent's precision is held to.
const flashAttention = option("--flash-attention", "off") === "on";
const ignoreEos = args.includes("--ignore-eos");

const {llama, cpuBuild} = await loadLlama();
const model = await llama.loadModel({modelPath});
const context = await model.createContext({
  contextSize: Math.min(2048, model.trainContextSize ?? 2048), threads, sequences: 1, flashAttention});

let promptIds;
const ids = option("--ids", null);
if (ids !== null) {
  promptIds = ids.split(",").filter((s) => s.length > 0).map(Number);
} else {
  promptIds = Array.from(model.tokenize(option("--text", ""), true));
  const bos = model.tokens.bos;
  if (model.tokens.shouldPrependBosToken && bos != null && promptIds[0] !== bos) {
    promptIds.unshift(bos);
  }
}

// One sequence throughout, its history cleared before each probability step: a disposed
// sequence is released asynchronously, and taking a new one at once raced ("No sequences
// left") on a busy machine.
const sequence = context.getSequence();
const greedy = [];
if (nGenerate > 0) {
  for await (const token of sequence.evaluate(promptIds, {temperature: 0, yieldEogToken: ignoreEos})) {
    if (!ignoreEos && model.isEogToken(token)) break;
    greedy.push(token);
    if (greedy.length >= nGenerate) break;
  }
}

const steps = [];
for (let s = 0; s < Math.min(probSteps, greedy.length + 1); s++) {
  await sequence.clearHistory();
  const input = promptIds.concat(greedy.slice(0, s));
  // yieldEogToken: the step's probabilities are wanted whatever token the draw picks; without
  // it a drawn end-of-generation token ends the evaluation with nothing yielded.
  const sampling = {temperature: 1, topK: 0, topP: 1, minP: 0, yieldEogToken: true};
  for await (const out of sequence.evaluateWithMetadata(input, {probabilities: true}, sampling)) {
    const top = Array.from(out.probabilities.entries())
                     .sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, topK);
    steps.push({position: input.length, top});
    break;
  }
}
console.log(JSON.stringify({prompt_ids: promptIds, greedy_ids: greedy, cpu_build: cpuBuild(), steps}));
process.exit(0);
