// A long-running server under a mixed load, to show that its memory follows its content and
// not its history (issue 19). `docent serve --model M --prefix-cache-mb 16` over the bundled
// example documents, with --clients clients (default 8) looping over:
//   /v1/search, /v1/ask (max_tokens 8), /v1/chat/completions plain and streamed (max_tokens 8),
//   and uploads that replace one of 50 file names with text of new, never-seen words (so the
//   index really churns: old chunks and their terms die, new ones come).
// Every --sample-s seconds (default 10) it samples the server's RSS (/proc) and its own memory
// gauges (/metrics). At the end it prints the RSS slope after the warm-up (least squares over
// the samples, in MB per hour), the growth that slope means over the measured span as a share
// of the RSS at the end of the warm-up, the largest RSS, and every request that failed; the
// last line is one JSON object with those figures and the samples.
// Bar (issue 19): after the first 10 minutes, RSS grows by <= 5% over the hour; no failures.
//
// usage: node bench/soak.mjs [--minutes 60] [--warmup-minutes 10] [--clients 8]
//                            [--model ../shared/models/stories260K.gguf] [--docent PATH]
//                            [--sample-s 10] [--threads 2] [--without KINDS]
// --without takes a comma-separated list of request kinds (search, ask, chat, chat-stream,
// upload) to leave out, each replaced by a search: to find which kind makes memory grow.
import {mkdtempSync, readFileSync, readdirSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

import {startServer, stopServer} from "./lib/serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const minutes = Number(option("--minutes", "60"));
const warmupMinutes = Number(option("--warmup-minutes", String(Math.min(10, minutes / 6))));
const clients = Number(option("--clients", "8"));
const sampleS = Number(option("--sample-s", "10"));
const threads = option("--threads", "2");
const docent = option("--docent", join(root, "build/docent"));
const model = option("--model", join(root, "../shared/models/stories260K.gguf"));
const log = (...m) => console.error(...m);
const without = new Set(option("--without", "").split(",").filter((k) => k.length > 0));

// The server, over the example documents.
const data = mkdtempSync(join(tmpdir(), "docent-soak-"));
const {server, base} = await startServer(docent, [
  "--data", data, "--model", model, "--threads", threads, "--prefix-cache-mb", "16"]);
for (;;) {
  const r = await fetch(`${base}/readyz`).catch(() => null);
  if (r && r.status === 200) break;
  await new Promise((r) => setTimeout(r, 200));  // polling the server's own readiness
}
const examples = join(root, "examples");
{
  const form = new FormData();
  for (const name of readdirSync(examples)) {
    if (name === "README.md") continue;
    form.append("file", new Blob([readFileSync(join(examples, name))]), name);
  }
  const r = await fetch(`${base}/v1/documents?wait=true`, {method: "POST", body: form});
  if (r.status !== 200) throw new Error(`adding the examples answered ${r.status}`);
}
const modelId = (await (await fetch(`${base}/v1/models`)).json()).data
    .map((m) => m.id).find((id) => id !== "docent-rag");

// Seeded words nobody used before: upload n gets its own vocabulary.
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "zu", "xo", "qui"];
function freshWord(n) {
  let w = "";
  for (let i = 0; i < 3; ++i) w += syllables[Math.floor(rand() * syllables.length)];
  return `${w}${n.toString(36)}`;
}
let uploads = 0;
function freshDocument() {
  const n = uploads++;
  const words = Array.from({length: 300}, (_, i) => (i % 3 ? freshWord(n * 1000 + i) : "policy"));
  return {name: `churn-${n % 50}.md`,
          text: `# Churn ${n}\n\n${words.join(" ")}.\n\nThe leave policy allows ${n % 30} days.\n`};
}

const questions = ["How many days of annual leave?", "연차 휴가는 며칠인가요?",
                   "What is the expense limit for hotels?", "What does error code E12 mean?",
                   "Who approves remote work?"];
const failures = [];
const counts = {};
async function call(kind, fn) {
  counts[kind] = (counts[kind] ?? 0) + 1;
  try {
    const r = await fn();
    if (r.status !== 200) {
      failures.push({kind, status: r.status, body: (await r.text()).slice(0, 300)});
      return;
    }
    await r.arrayBuffer();  // the whole body (a stream runs to its end)
  } catch (e) {
    failures.push({kind, error: String(e)});
  }
}
const post = (path, body) => fetch(`${base}${path}`, {
  method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});

const start = Date.now();
const end = start + minutes * 60e3;
async function client(id) {
  for (let i = id; Date.now() < end; i += clients) {
    const q = questions[i % questions.length];
    const kinds = ["search", "search", "search", "ask", "ask", "chat", "chat-stream", "upload",
                   "upload", "upload"];
    const kind = without.has(kinds[i % 10]) ? "search" : kinds[i % 10];
    switch (kinds.indexOf(kind)) {
      case 0: case 1: case 2:
        await call("search", () => post("/v1/search", {query: q}));
        break;
      case 3: case 4:
        await call("ask", () => post("/v1/ask", {question: q, max_tokens: 8}));
        break;
      case 5:
        await call("chat", () => post("/v1/chat/completions", {
          model: modelId, max_tokens: 8, messages: [{role: "user", content: q}]}));
        break;
      case 6:
        await call("chat-stream", () => post("/v1/chat/completions", {
          model: "docent-rag", max_tokens: 8, stream: true,
          messages: [{role: "user", content: q}]}));
        break;
      default: {
        const doc = freshDocument();
        const form = new FormData();
        form.append("file", new Blob([doc.text], {type: "text/plain"}), doc.name);
        await call("upload", () => fetch(`${base}/v1/documents?wait=true`,
                                         {method: "POST", body: form}));
      }
    }
  }
}

// Samples: RSS from /proc and the server's gauges.
const gaugeNames = ["docent_process_resident_bytes", "docent_term_index_bytes",
                    "docent_term_index_dead_bytes", "docent_term_index_compactions",
                    "docent_prefix_cache_bytes", "docent_sqlite_memory_bytes",
                    "docent_heap_in_use_bytes", "docent_heap_free_held_bytes",
                    "docent_stem_cache_bytes", "docent_chunks",
                    "docent_documents"];
const samples = [];
async function sample() {
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const rssKb = Number(status.match(/VmRSS:\s+(\d+)/)[1]);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const s = {t_s: (Date.now() - start) / 1e3, rss_mb: rssKb / 1024};
  for (const name of gaugeNames) {
    const m = metrics.match(new RegExp(`^${name} ([0-9.e+-]+)$`, "m"));
    if (m) s[name] = Number(m[1]);
  }
  samples.push(s);
  log(`soak ${s.t_s.toFixed(0)} s: rss ${s.rss_mb.toFixed(1)} MB, term index ` +
      `${((s.docent_term_index_bytes ?? 0) / 1e6).toFixed(2)} MB ` +
      `(dead ${((s.docent_term_index_dead_bytes ?? 0) / 1e6).toFixed(2)}), ` +
      `compactions ${s.docent_term_index_compactions ?? 0}, sqlite ` +
      `${((s.docent_sqlite_memory_bytes ?? 0) / 1e6).toFixed(1)} MB, heap in use ` +
      `${((s.docent_heap_in_use_bytes ?? 0) / 1e6).toFixed(1)} MB (free held ` +
      `${((s.docent_heap_free_held_bytes ?? 0) / 1e6).toFixed(1)}), chunks ${s.docent_chunks}, ` +
      `uploads ${uploads}, failures ${failures.length}`);
}
await sample();
const sampler = setInterval(() => { sample().catch((e) => log(`sample failed: ${e}`)); },
                            sampleS * 1e3);
await Promise.all(Array.from({length: clients}, (_, id) => client(id)));
clearInterval(sampler);
await sample();
await stopServer(server);
rmSync(data, {recursive: true, force: true});

// Least-squares slope of RSS over time after the warm-up.
const after = samples.filter((s) => s.t_s >= warmupMinutes * 60);
let slopeMbPerHour = null, growthPct = null;
if (after.length >= 2) {
  const n = after.length;
  const mt = after.reduce((a, s) => a + s.t_s, 0) / n;
  const mr = after.reduce((a, s) => a + s.rss_mb, 0) / n;
  let num = 0, den = 0;
  for (const s of after) {
    num += (s.t_s - mt) * (s.rss_mb - mr);
    den += (s.t_s - mt) ** 2;
  }
  const slopePerS = den > 0 ? num / den : 0;
  slopeMbPerHour = slopePerS * 3600;
  const span = after[n - 1].t_s - after[0].t_s;
  const atWarmup = mr + slopePerS * (after[0].t_s - mt);
  growthPct = 100 * slopePerS * span / atWarmup;
}
const maxRss = Math.max(...samples.map((s) => s.rss_mb));
for (const f of failures) log(`failed: ${JSON.stringify(f)}`);
log(`requests: ${JSON.stringify(counts)}`);
log(`after ${warmupMinutes} min of warm-up: RSS slope ${slopeMbPerHour?.toFixed(2)} MB/hour, ` +
    `growth over the measured span ${growthPct?.toFixed(2)}%; largest RSS ${maxRss.toFixed(1)} ` +
    `MB; ${failures.length} failed requests`);
console.log(JSON.stringify({minutes, warmup_minutes: warmupMinutes, clients, model,
                            rss_slope_mb_per_hour: slopeMbPerHour, rss_growth_pct: growthPct,
                            max_rss_mb: maxRss, failed: failures.length, requests: counts,
                            uploads, samples}));
process.exit(failures.length === 0 ? 0 : 1);
