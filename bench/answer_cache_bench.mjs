// The answer cache on the example corpus: each demo question asked once (a miss: retrieval
// and the extractive answer), then asked again many times (hits). Reports the server's own
// time per answer (the `timings` of /v1/ask: cache_ms on a hit, retrieve_ms + answer_ms on a
// miss) and the HTTP round trip on loopback, as p50/p99, and the ratio miss/hit, all measured
// in this run. Issue 16's bar: a hit's server time <= 5 ms at p99.
//
//   node bench/answer_cache_bench.mjs [--hits N] [--runs R] [--docent build/docent]
//
// Each run ingests the examples into a fresh data directory with `docent add`, so the OCR of
// the scanned example is part of the setup, not of the figures.
import {execFileSync} from "node:child_process";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir, cpus} from "node:os";
import {join, resolve, dirname} from "node:path";
import {fileURLToPath} from "node:url";
import {startServer, stopServer} from "./lib/serve.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const docent = resolve(arg("--docent", join(root, "build/docent")));
const hitsPerQuestion = Number(arg("--hits", "200"));
const runs = Number(arg("--runs", "3"));
const questions = [
  "How many days of annual leave do new employees get?",
  "연차 휴가는 며칠인가요?",
  "What does error code E07 mean on the HB-200?",
  "법인카드 분실 시 어떻게 해야 하나요?",
  "방문객은 몇 시까지 출입할 수 있나요?",
  "What is the company's policy on stock options?",
];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);

async function ask(base, question) {
  const t0 = performance.now();
  const r = await fetch(base + "/v1/ask", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({question}),
  });
  const body = await r.json();
  const rtt = performance.now() - t0;
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(body)}`);
  const t = body.timings;
  return {cached: body.cached, server: body.cached ? t.cache_ms : t.retrieve_ms + t.answer_ms + (t.cache_ms || 0), rtt};
}

const summary = {missServer: [], hitServerP50: [], hitServerP99: [], hitRttP50: [], hitRttP99: []};
for (let run = 0; run < runs; ++run) {
  const work = mkdtempSync(join(tmpdir(), "docent-cache-bench-"));
  const data = join(work, "data");
  try {
    execFileSync(docent, ["add", "--quiet", "--data", data, join(root, "examples")], {stdio: "ignore"});
    const {server, base} = await startServer(docent, ["--data", data]);
    try {
      const miss = [], hitServer = [], hitRtt = [];
      for (const q of questions) {
        const first = await ask(base, q);
        if (first.cached) throw new Error("the first ask was a hit: " + q);
        miss.push(first.server);
      }
      for (let i = 0; i < hitsPerQuestion; ++i) {
        for (const q of questions) {
          const r = await ask(base, q);
          if (!r.cached) throw new Error("a repeat was a miss: " + q);
          hitServer.push(r.server);
          hitRtt.push(r.rtt);
        }
      }
      summary.missServer.push(median(miss));
      summary.hitServerP50.push(pct(hitServer, 50));
      summary.hitServerP99.push(pct(hitServer, 99));
      summary.hitRttP50.push(pct(hitRtt, 50));
      summary.hitRttP99.push(pct(hitRtt, 99));
      console.log(`run ${run + 1}: miss server median ${median(miss).toFixed(2)} ms; ` +
                  `hit server p50 ${pct(hitServer, 50).toFixed(3)} ms, p99 ${pct(hitServer, 99).toFixed(3)} ms; ` +
                  `hit round trip p50 ${pct(hitRtt, 50).toFixed(2)} ms, p99 ${pct(hitRtt, 99).toFixed(2)} ms ` +
                  `(${hitServer.length} hits)`);
    } finally {
      await stopServer(server);
    }
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
}
const m = (k) => median(summary[k]);
console.log(`\nCPU: ${cpus()[0].model}, ${cpus().length} cores; medians of ${runs} runs`);
console.log(`miss (retrieve + extractive answer), server: ${m("missServer").toFixed(2)} ms`);
console.log(`hit, server: p50 ${m("hitServerP50").toFixed(3)} ms, p99 ${m("hitServerP99").toFixed(3)} ms ` +
            `(bar: p99 <= 5 ms: ${m("hitServerP99") <= 5 ? "met" : "MISSED"})`);
console.log(`hit, HTTP round trip: p50 ${m("hitRttP50").toFixed(2)} ms, p99 ${m("hitRttP99").toFixed(2)} ms`);
console.log(`miss / hit server time (p50): ${(m("missServer") / m("hitServerP50")).toFixed(1)}x`);
