#!/usr/bin/env bash
# side_by_side.sh - hfcpp against llama.cpp on the same weights, run alternately in the same
# minutes, printed as ratios (the machine is shared: only ratios taken together mean anything).
#
#   LLAMA_BIN=DIR bench/side_by_side.sh [-t THREADS] [--modes bf16,int8,int4] [--no-depth]
#                                       [--rounds N] [--matmul-precision float32|bf16]
#                                       [--kv-cache-dtype f32|f16|bf16] HF_MODEL_DIR
#
# For each mode (hfcpp bf16 / --quantize int8 / --quantize int4 against llama.cpp's bf16 / q8_0 /
# q4_0 GGUF of the same folder, made by ../shared/tools/llamacpp-anchor.sh) it runs membw, then N
# rounds (default 3) of: hfcpp bench with a 512-token prompt (pp512); llama-bench pp512 (for int8 /
# int4 also llama.cpp's bf16 pp512, the issue's prefill target); llama-bench tg128; hfcpp bench
# tg128 from a 1-token prompt (llama-bench's tg128 decodes from an empty cache; after 512 tokens
# attention would cost hfcpp ~5%). Then hfcpp bench with a 4096-token prompt (its decode is tg128
# at depth 4096); llama-bench tg128@d4096; membw.
# This machine's speed moves by tens of percent from one minute to the next (other tenants of the
# host: memory bandwidth for decode, CPU time for prefill), so pp512 and tg128 are compared round
# by round: their line gives the medians and the median of the rounds' ratios, then each round.
# Then one line per test: both speeds, the ratio hfcpp / llama.cpp, the load average and the
# bandwidth around it, and hfcpp's load as the median of its warm loads (the first may read cold
# pages). Both sides run under `nice -n -10` when root (as ../shared/tools/README.md
# advises). --matmul-precision and --kv-cache-dtype are passed to hfcpp bench (bf16: prefill in
# llama.cpp's bf16 arithmetic; f16: the KV cache llama-bench uses by default, half the bytes a
# decode step reads at depth 4096 next to hfcpp's exact f32 default).
# Environment: HFCPP (default build/hfcpp), TOOLS (default ../shared/tools beside the repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hfcpp=${HFCPP:-$root/build/hfcpp}
tools=${TOOLS:-$root/../shared/tools}
threads=2 modes=bf16,int8,int4 depth=1 rounds=3 model= hf_opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t) threads=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --no-depth) depth=0; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --matmul-precision) hf_opts+=(--matmul-precision "$2"); shift 2 ;;
    --kv-cache-dtype) hf_opts+=(--kv-cache-dtype "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "side_by_side: unknown option $1" >&2; exit 1 ;;
    *) model=$1; shift ;;
  esac
done
[ -n "$model" ] || { echo "usage: LLAMA_BIN=DIR side_by_side.sh [options] HF_MODEL_DIR" >&2; exit 1; }
[ -x "$hfcpp" ] || { echo "side_by_side: no hfcpp at $hfcpp (set HFCPP)" >&2; exit 1; }
nice=(); [ "$(id -u)" = 0 ] && nice=(nice -n -10)

membw() { "$tools/membw" -t "$threads" | tail -1; }
hf() {  # mode prompt_tokens [gen_tokens]
  local q=(); [ "$1" = bf16 ] || q=(--quantize "$1")
  "${nice[@]}" "$hfcpp" bench "$model" -t "$threads" --prompt-tokens "$2" --gen-tokens "${3:-128}" --json "${q[@]}" "${hf_opts[@]}"
}
ll() {  # type tests
  "${nice[@]}" "$tools/llamacpp-anchor.sh" -t "$threads" --types "$1" --tests "$2" "$model" | grep '^{'
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$tools/llamacpp-anchor.sh" --prepare "$model" > /dev/null  # GGUF files made before any timing
for mode in ${modes//,/ }; do
  case $mode in bf16) type=bf16 ;; int8) type=q8_0 ;; int4) type=q4_0 ;; *) echo "bad mode $mode" >&2; exit 1 ;; esac
  echo "{\"membw\": $(membw), \"mode\": \"$mode\", \"load1\": $(cut -d' ' -f1 /proc/loadavg)}" >> "$out"
  for round in $(seq "$rounds"); do
    echo "{\"hfcpp\": $(hf "$mode" 512 16), \"mode\": \"$mode\", \"round\": $round}" >> "$out"
    for t in $type $([ "$type" = bf16 ] || echo bf16); do
      ll "$t" pp512 | sed "s/^/{\"mode\": \"$mode\", \"round\": $round, \"llama\": /; s/\$/}/" >> "$out"
    done
    ll "$type" tg128 | sed "s/^/{\"mode\": \"$mode\", \"round\": $round, \"llama\": /; s/\$/}/" >> "$out"
    echo "{\"hfcpp_d0\": $(hf "$mode" 1), \"mode\": \"$mode\", \"round\": $round}" >> "$out"
  done
  if [ "$depth" = 1 ]; then
    echo "{\"hfcpp_d4096\": $(hf "$mode" 4096), \"mode\": \"$mode\"}" >> "$out"
    ll "$type" tg128@d4096 | sed "s/^/{\"mode\": \"$mode\", \"llama\": /; s/\$/}/" >> "$out"
  fi
  echo "{\"membw\": $(membw), \"mode\": \"$mode\", \"load1\": $(cut -d' ' -f1 /proc/loadavg)}" >> "$out"
done

threads=$threads python3 - "$out" <<'EOF'
import json, os, statistics, sys
threads = os.environ["threads"]
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by_mode = {}
for r in rows:
    by_mode.setdefault(r["mode"], []).append(r)
print(f"{'mode':5} {'test':12} {'hfcpp tok/s':>12} {'llama tok/s':>12} {'ratio':>6}  load1  interf  membw GB/s (before/after)")
for mode, rs in by_mode.items():
    bw = [r["membw"].get(f"t{threads}_best") for r in rs if "membw" in r]  # before and after the mode
    hf = next((r["hfcpp"] for r in rs if "hfcpp" in r), None)
    hfd = next((r["hfcpp_d4096"] for r in rs if "hfcpp_d4096" in r), None)
    ll = {r["llama"]["test"]: r["llama"] for r in rs if "llama" in r and "round" not in r}
    rounds = sorted({r["round"] for r in rs if "round" in r})

    def paired(mine_key, mine_field, test, typ):  # (hfcpp, llama.cpp) of each round
        pairs = []
        for k in rounds:
            mine = next((r[mine_key][mine_field] for r in rs if r.get("round") == k and mine_key in r), None)
            theirs = next((r["llama"] for r in rs if r.get("round") == k and "llama" in r
                           and r["llama"]["test"] == test and r["llama"]["type"] == typ), None)
            if mine is not None and theirs is not None:
                pairs.append((mine, theirs))
        return pairs

    def line(test, mine, theirs, extra=""):
        load, interf = theirs.get("load1", ""), theirs.get("interference", "")
        # interference: the share of CPU time other processes took during llama-bench's test
        print(f"{mode:5} {test:12} {mine:12.1f} {theirs['tok_s']:12.1f} {mine / theirs['tok_s']:6.2f}  "
              f"{load!s:5}  {interf!s:6}  {extra or bw}")

    def by_rounds(test, pairs, note):  # the medians and the median of the rounds' ratios, then each round
        ratios = [m / t["tok_s"] for m, t in pairs]
        med = {"tok_s": statistics.median(t["tok_s"] for _, t in pairs), "load1": pairs[-1][1].get("load1", ""),
               "interference": max(t.get("interference", 0) or 0 for _, t in pairs)}
        line(test, statistics.median(m for m, _ in pairs), med,
             f"median of {len(pairs)} rounds' ratios {statistics.median(ratios):.2f} "
             f"(min {min(ratios):.2f}, max {max(ratios):.2f}){note}")
        for i, (m, t) in enumerate(pairs, 1):
            line(f"  round {i}", m, t, " ")
        return med

    typ = next((r["llama"]["type"] for r in rs if "llama" in r and r["llama"]["test"] == "tg128"), "bf16")
    pp = paired("hfcpp", "prompt_tok_s", "pp512", typ)
    if pp:
        by_rounds("pp512", pp, "")
    pp_bf16 = paired("hfcpp", "prompt_tok_s", "pp512", "bf16")
    if pp_bf16 and typ != "bf16":  # the issue's prefill target for int8 / int4
        by_rounds("pp512/bf16", pp_bf16, "; against llama.cpp's bf16 pp512 of each round")
    tg = paired("hfcpp_d0", "decode_tok_s", "tg128", typ)
    if tg:
        med = by_rounds("tg128", tg, f"; membw {bw}")
        if hf:  # decode reads every weight once a token: tokens/s x weight bytes = the stream's GB/s
            gb = hf["weights_mb"] * 1048576 / 1e9
            print(f"{mode:5} tg128 streams the weights ({gb:.3f} GB a token) at: hfcpp {statistics.median(m for m, _ in tg) * gb:.1f} "
                  f"GB/s, llama.cpp {med['tok_s'] * gb:.1f} GB/s; membw t{threads} (best pattern) before/after: {bw} GB/s")
    if hfd and "tg128@d4096" in ll:
        line("tg128@d4096", hfd["decode_tok_s"], ll["tg128@d4096"])
    if hf:
        # Every hfcpp run of the mode loads the model: the first may find its files out of the page
        # cache (or quantize and keep them), the others load warm, which is what the target is about.
        loads = [r[k]["load_s"] * 1e3 for r in rs for k in ("hfcpp", "hfcpp_d0", "hfcpp_d4096") if k in r]
        print(f"{mode:5} hfcpp load {statistics.median(loads[1:] or loads):.0f} ms warm (median of {len(loads[1:]) or 1}; "
              f"first {loads[0]:.0f} ms), peak RSS {hf['peak_rss_mb']:.0f} MiB, weights "
              f"{hf['weights_mb']:.0f} MiB, decode at {100 * hf['bandwidth_fraction']:.0f}% of its own bandwidth bound")
EOF
