#!/usr/bin/env bash
# Issue 10's benchmark: recurrent training and inference against the machine's limit. Runs, one
# process per case, mode and implementation, interleaved: oneDNN's fused RNN primitives
# (bench/rnn_dnnl), recur's built-in cells and the same cells composed from public ops
# (bench/rnn --impl builtin|composed), PyTorch's nn modules and PyTorch's composed cells
# (bench/rnn_torch.py --impl module|composed); then prints one table and a `summary:` line with
# the worst ratio against each goal. `make bench-rnn` builds a release build and calls this.
#
#   bench/run_rnn.sh [--threads "1 2"] [--modes "train infer"] [--build DIR] [--reps N]
#                    [--rounds N] [--case NAME]... [--torch-env tuned|plain] [--no-torch]
#                    [--no-composed] [--no-check] [--stat median|min]
#
# Each round runs every case once in each program (--reps steps after two warm-up steps); the
# table shows the median over rounds of each run's median (--stat min: the fastest step seen, the
# figure to read when other jobs share the machine). Before timing, each program checks
# itself on a tiny case (--check: composed = built-in, oneDNN = recur, torch composed = module);
# --no-check skips that. Peak MB is each process's peak resident memory (VmHWM, ru_maxrss).
#
# PyTorch runs in its fastest setting on this machine (`--torch-env tuned`, the default). Debian's
# PyTorch calls whatever libblas.so.3 the system provides, and the reference BLAS (netlib) makes
# it 10-20x slower than it can be: the script gives it OpenBLAS (libopenblas0-openmp, on the same
# libgomp as PyTorch) through LD_LIBRARY_PATH, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so
# OpenBLAS picks the kernels for this processor, and ATEN_CPU_CAPABILITY=avx512 where the processor
# has AVX-512 (PyTorch 1.13 otherwise uses its AVX2 kernels). `--torch-env plain` keeps the
# system's libblas and the environment as they are. The script prints the kernel OpenBLAS reports
# (OPENBLAS_VERBOSE=2, "Core: ...") for PyTorch's process.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
threads="1 2" modes="train infer" build="$here/../build-release" reps=11 rounds=1 torch=1
torch_env=tuned composed=1 check=1 stat=median
cases=()

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --threads) threads=${2:?}; shift 2 ;;
    --modes) modes=${2:?}; shift 2 ;;
    --no-composed) composed=0; shift ;;
    --no-check) check=0; shift ;;
    --stat) stat=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --case) cases+=("${2:?}"); shift 2 ;;
    --torch-env) torch_env=${2:?}; shift 2 ;;
    --no-torch) torch=0; shift ;;
    *) usage ;;
    esac
done

case $stat in median | min) ;; *) usage ;; esac
exe="$build/bench/rnn" dnnl_exe="$build/bench/rnn_dnnl"
if [ ! -x "$exe" ] || [ ! -x "$dnnl_exe" ]; then
    echo "run_rnn: $exe or $dnnl_exe not found; build first (make bench-rnn does)" >&2
    exit 1
fi
python=/usr/bin/python3
if [ "$torch" = 1 ] && ! "$python" -c 'import torch' 2>/dev/null; then
    echo "run_rnn: $python has no torch (apt-get install python3-torch), or pass --no-torch" >&2
    exit 1
fi
torch_run=(env)
case $torch_env in
plain) ;;
tuned)
    if [ "$torch" = 1 ]; then
        dir=$(dirname "$(ls /usr/lib/*/openblas-openmp/libblas.so.3 2>/dev/null | head -1)")
        if [ ! -e "$dir/libblas.so.3" ]; then
            echo "run_rnn: OpenBLAS not found (apt-get install libopenblas0-openmp)," \
                "or pass --torch-env plain" >&2
            exit 1
        fi
        torch_run=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$dir")
        if grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
            torch_run+=(ATEN_CPU_CAPABILITY=avx512)
        fi
    fi
    ;;
*) usage ;;
esac
[ ${#cases[@]} -eq 0 ] && mapfile -t cases < <("$exe" --list)

results=$(mktemp)
trap 'rm -f "$results"' EXIT
# The programs of one case and mode, each in its own process; then the output of each.
programs=("$dnnl_exe" "$exe --impl builtin")
[ "$composed" = 1 ] && programs+=("$exe --impl composed")
torch_programs=("$here/rnn_torch.py --impl module")
[ "$composed" = 1 ] && torch_programs+=("$here/rnn_torch.py --impl composed")
if [ "$check" = 1 ]; then
    "$exe" --check && "$dnnl_exe" --check
    [ "$torch" = 1 ] && "${torch_run[@]}" "$python" "$here/rnn_torch.py" --check
fi
if [ "$torch" = 1 ]; then
    core=$(OPENBLAS_VERBOSE=2 "${torch_run[@]}" "$python" -c \
        'import torch; torch.mm(torch.ones(64, 64), torch.ones(64, 64))' 2>&1 |
        sed -n 's/.*Core: *//p' | head -1)
    echo "torch_blas core=${core:-none}" >>"$results"
fi
for n in $threads; do
    # All runtimes take the thread count from OMP_NUM_THREADS too (libgomp for recur and
    # oneDNN, PyTorch's intra-op pool); the programs also set it explicitly. Programs alternate
    # case by case so that a busy moment on a shared machine hits all alike.
    for ((r = 0; r < rounds; r++)); do
        for c in "${cases[@]}"; do
            for m in $modes; do
                args=(--threads "$n" --reps "$reps" --case "$c" --mode "$m")
                for p in "${programs[@]}"; do
                    # shellcheck disable=SC2086 # $p is a program and its own options
                    OMP_NUM_THREADS=$n $p "${args[@]}" | grep '^rnn \|^onednn ' >>"$results"
                done
                [ "$torch" = 1 ] || continue
                for p in "${torch_programs[@]}"; do
                    # shellcheck disable=SC2086
                    OMP_NUM_THREADS=$n "${torch_run[@]}" "$python" $p "${args[@]}" >>"$results"
                done
            done
        done
    done
done

if [ -n "${RNN_BENCH_RAW:-}" ]; then cat "$results"; echo; fi
awk -v reps="$reps" -v rounds="$rounds" -v stat="$stat" -v cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" '
function kv(line, key,    n, i, parts, pair) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) {
        split(parts[i], pair, "=")
        if (pair[1] == key) return pair[2]
    }
    return ""
}
# The median of the values list[k, 1..cnt[k]].
function med(list, cnt, k,    i, j, t, v, m) {
    m = cnt[k]
    for (i = 1; i <= m; i++) v[i] = list[k, i] + 0
    for (i = 2; i <= m; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
function smallest(list, cnt, k,    i, m) {
    m = list[k, 1] + 0
    for (i = 2; i <= cnt[k]; i++) if (list[k, i] + 0 < m) m = list[k, i] + 0
    return m
}
function cell(row, impl) { return (row SUBSEP impl) in ms ? sprintf("%8.2f", ms[row, impl]) : sprintf("%8s", "-") }
function ratio(row, a, b) { return ((row SUBSEP a) in ms && (row SUBSEP b) in ms) ? ms[row, a] / ms[row, b] : "" }
function show(x) { return x == "" ? sprintf("%7s", "-") : sprintf("%7.2f", x) }
function mb(row, impl) { return (row SUBSEP impl) in peak ? sprintf("%6.0f", peak[row, impl]) : sprintf("%6s", "-") }
# Keeps the largest ratio of goal g and the row it came from.
function worst(g, x, row) { if (x != "" && (!(g in w) || x > w[g])) { w[g] = x; wrow[g] = row } }
/^torch version/ { tv = kv($0, "version"); blas = kv($0, "blas"); core = kv($0, "openblas_core")
                  cap = kv($0, "cpu_capability") }
/^torch_blas / { verbose_core = kv($0, "core") }
/^onednn version/ { dnnl_version = kv($0, "version") }
/^rnn / { row = kv($0, "case") SUBSEP kv($0, "mode") SUBSEP kv($0, "threads")
          if (!(row in seen)) { seen[row] = 1; order[++nrow] = row }
          k = row SUBSEP kv($0, "impl"); i = ++cnt[k]
          all_ms[k, i] = kv($0, stat == "min" ? "min_ms" : "ms"); v = kv($0, "peak_mb") + 0
          if (!(k in peak) || v > peak[k]) peak[k] = v }
END {
    for (k in cnt) ms[k] = stat == "min" ? smallest(all_ms, cnt, k) : med(all_ms, cnt, k)
    printf "bench/rnn: training step (forward + MSE + backward) and inference (forward, no gradients), ms,\n"
    if (stat == "min") printf "fastest step of %d rounds of %d steps; %s\n", rounds, reps, cpu
    else printf "median over %d rounds of each run'"'"'s median of %d steps; %s\n", rounds, reps, cpu
    if (dnnl_version != "") printf "oneDNN %s\n", dnnl_version
    if (tv != "") printf "PyTorch %s (%s kernels), BLAS %s%s; OPENBLAS_VERBOSE=2: Core: %s\n", tv, cap, blas,
                         core != "" ? " (" core " kernels)" : "", verbose_core
    printf "\n%-15s %-5s %2s %8s %8s %8s %8s %8s %7s %7s %7s %7s %6s %6s %6s %6s\n", "case", "mode", "th",
           "oneDNN", "recur", "composed", "torch", "t_comp", "r/dnnl", "c/r", "r/torch", "tc/t",
           "MB:dnl", "recur", "comp", "torch"
    for (i = 1; i <= nrow; i++) {
        row = order[i]; split(row, part, SUBSEP)
        rd = ratio(row, "recur", "onednn"); cr = ratio(row, "composed", "recur")
        rt = ratio(row, "recur", "torch"); tt = ratio(row, "torch_composed", "torch")
        worst("dnnl", rd, row); worst("composed", cr, row); worst("torch", rt, row)
        printf "%-15s %-5s %2s %s %s %s %s %s %s %s %s %s %s %s %s %s\n", part[1], part[2], part[3],
               cell(row, "onednn"), cell(row, "recur"), cell(row, "composed"), cell(row, "torch"),
               cell(row, "torch_composed"), show(rd), show(cr), show(rt), show(tt),
               mb(row, "onednn"), mb(row, "recur"), mb(row, "composed"), mb(row, "torch")
    }
    printf "\nr/dnnl = recur / oneDNN (goal <= 1), c/r = recur composed / recur built-in (goal <= 1),\n"
    printf "r/torch = recur / PyTorch, tc/t = PyTorch composed / PyTorch nn; MB: peak resident memory\n"
    printf "summary:"
    split("dnnl composed torch", goal, " ")
    split("recur/oneDNN composed/recur recur/PyTorch", label, " ")
    split("goal_<=_1.0 goal_<=_1.0 PyTorch_nn", target, " ")
    for (g = 1; g <= 3; g++) {
        if (!(goal[g] in w)) { printf " %s worst -;", label[g]; continue }
        split(wrow[goal[g]], part, SUBSEP)
        t = target[g]; gsub("_", " ", t)
        printf " %s worst %.2f (%s %s %st; %s);", label[g], w[goal[g]], part[1], part[2], part[3], t
    }
    printf "\n"
}' "$results"
