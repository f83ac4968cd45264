// llama.cpp's embedding of a token sequence, for the encoder's differential test
// (tests/llm/encoder_oracle_test.cc) or by hand. Same llama.cpp as oracle.mjs (node-llama-cpp's
// prebuilt CPU library, pinned by scripts/install-deps.sh), and like it beside node_modules.
//
// usage: node embed_oracle.mjs MODEL.gguf --ids 2,17,3 [--threads 1]
//        node embed_oracle.mjs MODEL.gguf --query TEXT --document TEXT [--threads 1]
//        node embed_oracle.mjs MODEL.gguf --tokenize-file LINES.txt [--special]
//        node embed_oracle.mjs MODEL.gguf --rank-ids 2,17,3 [--threads 1]
// Prints one JSON object: ids (the sequence as evaluated: node-llama-cpp adds [CLS] / [SEP]
// unless the ids already open and close with them, so pass them framed), cpu_build, and
// embedding (the model's pooled output, bert.pooling_type; unnormalised); or, for a query
// and a document, ids (what rank() evaluates) and score (createRankingContext's: the sigmoid
// of the classifier's logit over those ids); or, for a file of lines, tokens (llama.cpp's ids
// for each line, no special tokens added; with --special, control tokens written in the line
// are read as such, as llama-server tokenizes a filled-in rerank template); or, for --rank-ids,
// ids and score of createRankingContext over exactly those ids (a template of just the two
// placeholders, the last id as the document), for rerankers whose own template node-llama-cpp
// tokenizes piece by piece.
import {loadLlama} from "./load_llama.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const {llama, cpuBuild} = await loadLlama();
const model = await llama.loadModel({modelPath: args[0]});
const contextOptions = {
  contextSize: Math.min(512, model.trainContextSize ?? 512),
  threads: Number(option("--threads", "1")),
};
const query = option("--query", null);
const tokenizeFile = option("--tokenize-file", null);
const rankIds = option("--rank-ids", null);
if (tokenizeFile !== null) {
  const {readFileSync} = await import("node:fs");
  // Lines are JSON strings with --special (a template holds newlines), plain text otherwise.
  const special = args.includes("--special");
  const lines = readFileSync(tokenizeFile, "utf8").split("\n").filter((l) => l.length > 0);
  const tokens = lines.map((line) =>
    Array.from(special ? model.tokenize(JSON.parse(line), true) : model.tokenize(line)));
  console.log(JSON.stringify({cpu_build: cpuBuild(), tokens}));
} else if (rankIds !== null) {
  const context = await model.createRankingContext({...contextOptions,
                                                    template: "{{query}}{{document}}"});
  const given = rankIds.split(",").filter((s) => s.length > 0).map(Number);
  const q = given.slice(0, -1);
  const d = given.slice(-1);
  const ids = context._getEvaluationInput(q, d);
  const score = await context.rank(q, d);
  console.log(JSON.stringify({ids: Array.from(ids), cpu_build: cpuBuild(), score}));
} else if (query !== null) {
  const context = await model.createRankingContext(contextOptions);
  const document = option("--document", "");
  // The tokens rank() evaluates (node-llama-cpp frames them from the BOS, EOS and SEP it finds:
  // for a WordPiece GGUF, query [SEP] document), so the caller can score the same ones.
  const ids = context._getEvaluationInput(model.tokenize(query), model.tokenize(document));
  const score = await context.rank(query, document);
  console.log(JSON.stringify({ids: Array.from(ids), cpu_build: cpuBuild(), score}));
} else {
  const context = await model.createEmbeddingContext(contextOptions);
  const given = option("--ids", "").split(",").filter((s) => s.length > 0).map(Number);
  // What getEmbeddingFor evaluates: the ids with the BOS / EOS node-llama-cpp adds to them.
  const ids = [...given];
  context._prepareInput(ids);
  const embedding = await context.getEmbeddingFor(given);
  console.log(JSON.stringify({ids, cpu_build: cpuBuild(), embedding: Array.from(embedding.vector)}));
}
