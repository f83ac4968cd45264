#!/usr/bin/env bash
# docent's LLM engine against llama.cpp on the same files, in the same run: prompt processing
# (512 tokens from an empty cache), generation (128 greedy tokens right after) and peak RSS.
# Models are synthetic (`docent synth-model`: random weights in the exact shapes of
# Qwen2.5-0.5B/1.5B with the real Qwen vocabulary), written once into a cache folder. Each
# model and thread count runs both engines alternately (so drift from other load hits both),
# --runs times; the table shows medians and docent/llama.cpp ratios, then each result's
# distance from the machine's ceiling:
#   generation ceiling = memory bandwidth / model bytes read per token (every weight once);
#   prompt ceiling     = int8 throughput / FLOPs per token (2 per weight + attention over the
#                        prompt's mean context of 256).
#
# usage: bench/llm_vs_llamacpp.sh [--models LIST] [--threads LIST] [--runs N] [--prompt N] [--json]
#          [--cache DIR] [--docent PATH] [--bandwidth GBPS | --measure-bandwidth] [--tops T]
#   LIST is comma-separated: models as SHAPE:TYPE (default qwen2.5-0.5b:q4_0,
#   qwen2.5-0.5b:q8_0,qwen2.5-1.5b:q4_0,qwen2.5-1.5b:q8_0,qwen2.5-1.5b:q4_k), threads (2,1).
#   --prompt sets the prompt length (default 512; 2048 for the long-prompt cells).
#   Defaults: 3 runs, cache build/bench-models, docent build/docent, 30 GB/s (the figure for
#   this VM; --measure-bandwidth times a memcpy instead), 1.8 int8 TOPS.
# Quick run: bench/llm_vs_llamacpp.sh --models qwen2.5-0.5b:q4_0 --threads 2 --runs 1
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
models="qwen2.5-0.5b:q4_0,qwen2.5-0.5b:q8_0,qwen2.5-1.5b:q4_0,qwen2.5-1.5b:q8_0,qwen2.5-1.5b:q4_k"
threads="2,1"
runs=3
prompt=512
json=0
cache="$root/build/bench-models"
docent="$root/build/docent"
bandwidth=30
bandwidth_source="assumed (the figure for this VM)"
measure_bandwidth=0
tops=1.8

while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --prompt) prompt="$2"; shift 2 ;;
    --json) json=1; shift ;;
    --cache) cache="$2"; shift 2 ;;
    --docent) docent="$2"; shift 2 ;;
    --bandwidth) bandwidth="$2"; bandwidth_source="given (--bandwidth $2)"; shift 2 ;;
    --measure-bandwidth) measure_bandwidth=1; shift ;;
    --tops) tops="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "llm_vs_llamacpp.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[[ -x "$docent" ]] || { echo "llm_vs_llamacpp.sh: no docent binary at $docent (--docent PATH)" >&2; exit 1; }
[[ -d "$root/tests/oracle/node_modules/node-llama-cpp" ]] || {
  echo "llm_vs_llamacpp.sh: node-llama-cpp missing: scripts/install-deps.sh (or npm ci --omit=optional in tests/oracle)" >&2
  exit 1
}
mkdir -p "$cache"
log() { echo "$@" >&2; }

if [[ $measure_bandwidth == 1 ]]; then
  # A single-threaded 256 MiB memcpy, best of 5, counting bytes read plus bytes written.
  bandwidth=$(python3 -c '
import time
n = 256 << 20
a = bytearray(b"\x01") * n; b = bytearray(n); b[:] = a
best = min((lambda t: (b.__setitem__(slice(None), a), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))
print(f"{2 * n / best / 1e9:.1f}")')
  bandwidth_source="measured (memcpy, read+write, one thread: $bandwidth GB/s)"
fi

results="$(mktemp /tmp/llm_vs_llamacpp.XXXXXX.jsonl)"
trap 'rm -f "$results"' EXIT

# Records one run as a JSON line tagged with model, type, threads and engine; a failed run is
# recorded with null figures (and its error on stderr) so the others still report.
record() {
  local engine="$1" shape="$2" type="$3" t="$4" out="$5"
  local line
  line="$(printf '%s\n' "$out" | grep -E '^\{.*"pp_tok_s"' | tail -n 1 || true)"
  [[ -n "$line" ]] || line='{"pp_tok_s":null,"tg_tok_s":null,"peak_rss_mb":null}'
  jq -c --arg e "$engine" --arg s "$shape" --arg ty "$type" --argjson t "$t" \
    '{engine:$e, shape:$s, type:$ty, threads:$t, pp_tok_s, tg_tok_s, peak_rss_mb, kernels,
      cpu_build}' <<<"$line" >>"$results"
}

IFS=',' read -ra model_list <<<"$models"
IFS=',' read -ra thread_list <<<"$threads"
for m in "${model_list[@]}"; do
  shape="${m%%:*}"; type="${m##*:}"
  file="$cache/$shape-$type.gguf"
  if [[ ! -s "$file" ]]; then
    log "writing $file"
    "$docent" synth-model --shape "$shape" --type "$type" -o "$file" >&2
  fi
  for t in "${thread_list[@]}"; do
    for ((r = 1; r <= runs; r++)); do
      log "$shape $type threads $t run $r/$runs: docent"
      out="$("$docent" bench -m "$file" --threads "$t" -p "$prompt" --json 2>/tmp/llm_vs_llamacpp.err)" ||
        log "  docent bench failed: $(tail -n 3 /tmp/llm_vs_llamacpp.err)"
      record docent "$shape" "$type" "$t" "${out:-}"
      log "$shape $type threads $t run $r/$runs: llama.cpp"
      out="$(node "$root/bench/llamacpp_speed.mjs" "$file" --threads "$t" --prompt-tokens "$prompt" \
        2>/tmp/llm_vs_llamacpp.err)" ||
        log "  llama.cpp failed: $(tail -n 3 /tmp/llm_vs_llamacpp.err)"
      record llama.cpp "$shape" "$type" "$t" "${out:-}"
    done
  done
done

python3 - "$results" "$cache" "$json" "$bandwidth" "$bandwidth_source" "$tops" "$prompt" <<'EOF'
import json, os, statistics, struct, sys

results, cache, as_json, bandwidth, bandwidth_source, tops, prompt = sys.argv[1:8]
prompt = int(prompt)
bandwidth, tops = float(bandwidth) * 1e9, float(tops) * 1e12

# ggml type id -> (elements per block, bytes per block)
BLOCKS = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
          8: (32, 34), 12: (256, 144), 13: (256, 176), 14: (256, 210)}

def read_gguf(path):
    """Metadata scalars and (name, dims, type) of each tensor: enough for bytes and FLOPs."""
    with open(path, "rb") as f:
        data = f.read(64 << 20)  # the header of a synthetic model fits in far less
    pos = 0
    def take(fmt):
        nonlocal pos
        v = struct.unpack_from("<" + fmt, data, pos); pos += struct.calcsize("<" + fmt); return v[0]
    def string():
        nonlocal pos
        n = take("Q"); s = data[pos:pos + n]; pos += n; return s.decode("utf-8", "replace")
    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
    def value(t):
        nonlocal pos
        if t == 8: return string()
        if t == 9:  # arrays (the vocabulary) are skipped, not kept
            et, n = take("I"), take("Q")
            if et in scalar:
                pos += struct.calcsize("<" + scalar[et]) * n
            else:
                for _ in range(n): value(et)
            return None
        return take(scalar[t])
    assert data[:4] == b"GGUF"; pos = 4
    take("I"); n_tensors, n_kv = take("Q"), take("Q")
    meta = {}
    for _ in range(n_kv):
        k = string(); meta[k] = value(take("I"))
    tensors = []
    for _ in range(n_tensors):
        name = string(); nd = take("I"); dims = [take("Q") for _ in range(nd)]
        ty = take("I"); take("Q"); tensors.append((name, dims, ty))
    return meta, tensors

def costs(path):
    meta, tensors = read_gguf(path)
    arch = meta["general.architecture"]
    tensor_bytes, matmul_flops = 0, 0
    tied = not any(n == "output.weight" for n, _, _ in tensors)
    for name, dims, ty in tensors:
        n = 1
        for d in dims: n *= d
        block, size = BLOCKS[ty]
        nbytes = n // block * size
        is_embd = name == "token_embd.weight"
        # Per token: every matrix is read once; the embedding only as one row, unless it is
        # also the output matrix.
        if not is_embd or tied:
            tensor_bytes += nbytes
            if len(dims) == 2: matmul_flops += 2 * n
        else:
            tensor_bytes += nbytes // dims[1]
    n_layer = meta[arch + ".block_count"]; n_head = meta[arch + ".attention.head_count"]
    head = meta.get(arch + ".attention.key_length", meta[arch + ".embedding_length"] // n_head)
    attn_flops = n_layer * 4 * n_head * head * prompt // 2  # QK^T and AV at the mean position
    return tensor_bytes, matmul_flops + attn_flops

runs = [json.loads(l) for l in open(results) if l.strip()]
groups = {}
for r in runs:
    groups.setdefault((r["shape"], r["type"], r["threads"]), {}).setdefault(r["engine"], []).append(r)

def median(rs, key):
    v = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(v) if v else None

rows = []
for (shape, ty, t), by_engine in groups.items():
    nbytes, flops = costs(os.path.join(cache, f"{shape}-{ty}.gguf"))
    row = {"model": shape, "type": ty, "threads": t,
           "runs": max(len(v) for v in by_engine.values()),
           "bytes_per_token": nbytes, "flops_per_token": flops,
           "tg_ceiling_tok_s": bandwidth / nbytes, "pp_ceiling_tok_s": tops / flops}
    for engine, key in (("docent", "docent"), ("llama.cpp", "llamacpp")):
        rs = by_engine.get(engine, [])
        for m in ("pp_tok_s", "tg_tok_s", "peak_rss_mb"):
            row[f"{key}_{m}"] = median(rs, m)
    for m in ("pp_tok_s", "tg_tok_s"):
        d, l = row[f"docent_{m}"], row[f"llamacpp_{m}"]
        row[f"ratio_{m[:2]}"] = d / l if d and l else None
    rows.append(row)

# Which code ran: docent's kernel level and the ggml CPU library llama.cpp loaded.
kernels = sorted({r["kernels"] for r in runs if r.get("kernels")})
cpu_builds = sorted({r["cpu_build"] for r in runs if r.get("cpu_build")})
cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass

if as_json == "1":
    print(json.dumps({"bandwidth_gb_s": bandwidth / 1e9, "bandwidth_source": bandwidth_source,
                      "int8_tops": tops / 1e12, "prompt_tokens": prompt, "cpu": cpu,
                      "docent_kernels": kernels,
                      "llamacpp_cpu_build": cpu_builds, "results": rows}))
    sys.exit(0)

f = lambda v, spec=".1f": "n/a" if v is None else format(v, spec)
pct = lambda v, ceiling: "n/a" if v is None else f"{100 * v / ceiling:.0f}%"
print(f"CPU: {cpu}; docent kernels: {', '.join(kernels) or 'unknown'}; "
      f"llama.cpp CPU build: {', '.join(cpu_builds) or 'unknown'}")
print(f"median of {max(r['runs'] for r in rows)} runs each; prompt {prompt} tokens, generation 128\n")
print("| model | type | threads | docent pp | llama.cpp pp | ratio | docent tg | llama.cpp tg | ratio | docent peak RSS | llama.cpp peak RSS |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print(f"| {r['model']} | {r['type']} | {r['threads']} | {f(r['docent_pp_tok_s'])} | {f(r['llamacpp_pp_tok_s'])} "
          f"| {f(r['ratio_pp'], '.2f')} | {f(r['docent_tg_tok_s'])} | {f(r['llamacpp_tg_tok_s'])} "
          f"| {f(r['ratio_tg'], '.2f')} | {f(r['docent_peak_rss_mb'], '.0f')} MB | {f(r['llamacpp_peak_rss_mb'], '.0f')} MB |")
print(f"\nCeilings (whole machine, not scaled by threads): generation = {bandwidth / 1e9:.0f} GB/s "
      f"{bandwidth_source} / bytes per token; prompt = {tops / 1e12:g} int8 TOPS / FLOPs per token. "
      "Each engine's speed as a share of the ceiling:\n")
print("| model | type | threads | MB/token | tg ceiling | docent tg | llama.cpp tg | GFLOP/token | pp ceiling | docent pp | llama.cpp pp |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    tc, pc = r["tg_ceiling_tok_s"], r["pp_ceiling_tok_s"]
    print(f"| {r['model']} | {r['type']} | {r['threads']} | {r['bytes_per_token'] / 1e6:.0f} | {tc:.1f} tok/s "
          f"| {pct(r['docent_tg_tok_s'], tc)} | {pct(r['llamacpp_tg_tok_s'], tc)} | {r['flops_per_token'] / 1e9:.2f} "
          f"| {pc:.0f} tok/s | {pct(r['docent_pp_tok_s'], pc)} | {pct(r['llamacpp_pp_tok_s'], pc)} |")
EOF
