// Answer throughput across machines' worth of generators (issue: remote generators), on this
// machine, through the real HTTP interface:
//
//   ceiling   Two `docent bench --threads 1` at once, each pinned to its own core with
//             taskset, against one alone: generation tok/s of the two together over the one.
//             What two single-core generators can give here at best (shared caches and memory
//             bandwidth), measured in the same run.
//   pool      A front node (`serve --generator ...`, answer cache off) over the bundled
//             examples, with two generator nodes (`serve --model M --generate-only --threads 1
//             --slots 4`, each pinned to one core) against one generator pinned the same way:
//             16 clients asking /v1/ask (max_tokens 64) for --seconds; answers and generated
//             tokens per second of the two over the one.
//   no loss   With --kill, the two-generator run SIGKILLs generator 1 a third of the way in
//             and starts it again (same port) at two thirds: every question sent must come
//             back answered (HTTP 200); sent and answered are counted.
// Medians of --runs runs. The machine is shared and the front shares the two cores, so the
// ratios are what mean something; name the CPU beside them.
//
// usage: node bench/generator_pool_bench.mjs [--model M.gguf] [--seconds S] [--runs N]
//                                            [--clients N] [--kill] [--json]
//                                            [--generator-args "SERVE ARGS"]
import {spawn} from "node:child_process";
import {mkdtempSync, readFileSync, readdirSync, rmSync} from "node:fs";
import {createServer} from "node:net";
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
const seconds = Number(option("--seconds", "60"));
const runs = Number(option("--runs", "1"));
const clients = Number(option("--clients", "16"));
const withKill = args.includes("--kill");
// Extra `serve` arguments for the generator nodes, e.g. "--prefix-cache-mb 0".
const extraGenArgs = option("--generator-args", "").split(" ").filter((a) => a.length > 0);
const asJson = args.includes("--json");
const log = (...m) => console.error(...m);

const model = option("--model", "") || syntheticModel(docent, root, "qwen2.5-0.5b", "q4_0", log);

const questions = [
  "How many days of annual leave do employees get?",
  "Who approves expenses above the limit?",
  "What is the hotel limit per night?",
  "What does error code E-201 mean on the HB-200?",
  "How should suspicious emails be handled?",
  "연차 휴가는 며칠인가요?",
  "비밀번호는 얼마나 자주 바꿔야 하나요?",
  "출장 경비 한도는 얼마인가요?",
  "How do I reset the HB-200?",
  "When must expense reports be submitted?",
];

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => {
    const {port} = s.address();
    s.close(() => resolve(port));
  });
});

function benchTg(cpu) {
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", String(cpu), docent, "bench", "-m", model, "--threads",
                                    "1", "-p", "64", "-n", "128", "--reps", "1", "--json"],
                        {stdio: ["ignore", "pipe", "ignore"]});
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => code === 0 ? resolve(JSON.parse(out).tg_tok_s)
                                          : reject(new Error(`bench exited ${code}`)));
  });
}

async function ceiling() {
  const alone = await benchTg(0);
  const pair = await Promise.all([benchTg(0), benchTg(1)]);
  return {alone, pair: pair[0] + pair[1], ratio: (pair[0] + pair[1]) / alone};
}

async function upload(base) {
  const form = new FormData();
  const dir = join(root, "examples");
  for (const name of readdirSync(dir)) {
    if (name === "README.md") continue;
    form.append("file", new Blob([readFileSync(join(dir, name))]), name);
  }
  const res = await fetch(`${base}/v1/documents?wait=true`, {method: "POST", body: form});
  if (res.status !== 200) throw new Error(`upload answered ${res.status}`);
}

// One pool run: `n` generators pinned to cores 0.., a front, `clients` askers for `seconds`.
async function poolRun(n, kill) {
  const work = mkdtempSync(join(tmpdir(), "docent-pool-bench-"));
  const ports = [];
  const gens = [];
  const genArgs = (i) => ["--data", join(work, `g${i}`), "--port", String(ports[i]), "--model",
                          model, "--generate-only", "--threads", "1", "--slots", "4",
                          ...extraGenArgs];
  for (let i = 0; i < n; ++i) {
    ports.push(await freePort());
    gens.push(await startServer(docent, genArgs(i), {cpu: i}));
  }
  const genUrls = ports.map((p) => ["--generator", `http://127.0.0.1:${p}/v1`]).flat();
  const front = await startServer(docent, ["--data", join(work, "front"), "--answer-cache-mb", "0", ...genUrls]);
  await upload(front.base);
  let sent = 0, answered = 0, failed = 0, tokens = 0;
  const statuses = {};
  const start = Date.now();
  const end = start + seconds * 1000;
  const events = [];
  if (kill) {
    events.push((async () => {
      await new Promise((r) => setTimeout(r, seconds * 1000 / 3));
      await stopServer(gens[0].server, "SIGKILL");
      log("  generator 1 killed");
      await new Promise((r) => setTimeout(r, seconds * 1000 / 3));
      gens[0] = await startServer(docent, genArgs(0), {cpu: 0});
      log("  generator 1 restarted");
    })());
  }
  const askers = Array.from({length: clients}, async (_, c) => {
    for (let i = c; Date.now() < end; ++i) {
      ++sent;
      const res = await fetch(`${front.base}/v1/ask`, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({question: questions[i % questions.length], max_tokens: 64}),
      });
      const body = await res.json();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) {
        ++answered;
        tokens += body.usage?.completion_tokens ?? 0;
      } else {
        ++failed;
      }
    }
  });
  await Promise.all([...askers, ...events]);
  const elapsed = (Date.now() - start) / 1000;
  const cpu = {front: cpuSeconds(front.server.pid), generators: gens.map((g) => cpuSeconds(g.server.pid))};
  // Prompt tokens each generator computed (read, less those its prefix cache served): the
  // cold work routing decides how often to repeat.
  const computed = [];
  for (const g of gens) {
    const text = await (await fetch(`${g.base}/metrics`)).text();
    const value = (name) => Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1] ?? NaN);
    computed.push(value("docent_prompt_tokens_total") - value("docent_prompt_cached_tokens_total"));
  }
  await stopServer(front.server);
  for (const g of gens) await stopServer(g.server);
  rmSync(work, {recursive: true, force: true});
  return {generators: n, sent, answered, failed, statuses, answers_per_s: answered / elapsed,
          tokens_per_s: tokens / elapsed, elapsed, cpu, prompt_tokens_computed: computed};
}

// CPU seconds a process has used (user + system), from /proc.
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;  // clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (let r = 0; r < runs; ++r) {
  log(`run ${r + 1} of ${runs}`);
  const c = await ceiling();
  log(`  ceiling: one ${c.alone.toFixed(1)} tok/s, two ${c.pair.toFixed(1)} (${c.ratio.toFixed(2)}x)`);
  const one = await poolRun(1, false);
  log(`  one generator: ${one.answers_per_s.toFixed(2)} answers/s, ${one.tokens_per_s.toFixed(1)} tok/s; ` +
      `CPU s: front ${one.cpu.front}, generators ${one.cpu.generators.join(", ")} of ${one.elapsed.toFixed(0)} s; ` +
      `prompt tokens computed ${one.prompt_tokens_computed.join(", ")}`);
  const two = await poolRun(2, withKill);
  log(`  two generators: ${two.answers_per_s.toFixed(2)} answers/s, ${two.tokens_per_s.toFixed(1)} tok/s; ` +
      `sent ${two.sent}, answered ${two.answered}, statuses ${JSON.stringify(two.statuses)}; ` +
      `CPU s: front ${two.cpu.front}, generators ${two.cpu.generators.join(", ")} of ${two.elapsed.toFixed(0)} s; ` +
      `prompt tokens computed ${two.prompt_tokens_computed.join(", ")}`);
  results.push({ceiling: c, one, two, ratio: two.tokens_per_s / one.tokens_per_s,
                answers_ratio: two.answers_per_s / one.answers_per_s});
}
const summary = {
  model, seconds, clients, runs, kill: withKill,
  ceiling: median(results.map((r) => r.ceiling.ratio)),
  tokens_ratio: median(results.map((r) => r.ratio)),
  answers_ratio: median(results.map((r) => r.answers_ratio)),
  lost: results.reduce((a, r) => a + r.two.failed + r.one.failed, 0),
  runs_detail: results,
};
if (asJson) {
  console.log(JSON.stringify(summary));
} else {
  console.log(`ceiling (two pinned single-core benches / one): ${summary.ceiling.toFixed(2)}x`);
  console.log(`two generators / one, generated tokens/s: ${summary.tokens_ratio.toFixed(2)}x ` +
              `(answers/s ${summary.answers_ratio.toFixed(2)}x); ` +
              `${(100 * summary.tokens_ratio / summary.ceiling).toFixed(0)}% of the ceiling`);
  console.log(`questions not answered: ${summary.lost}`);
}
