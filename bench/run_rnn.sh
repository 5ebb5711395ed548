#!/usr/bin/env bash
# Runs bench/rnn (recur) and bench/rnn_torch.py (PyTorch) with the same thread count, case by
# case, and prints one table per thread count. `make bench-rnn` builds a release build and calls
# this.
#
#   bench/run_rnn.sh [--threads "1 2"] [--build DIR] [--reps N] [--rounds N] [--case NAME]...
#                    [--torch-env tuned|plain] [--no-torch]
#
# Each round runs every case once in each program (--reps steps after two warm-up steps); the
# table shows the median over rounds of each run's median, and the smallest step time seen. On a
# machine shared with other jobs, several rounds and the minimum are the figures to trust.
#
# PyTorch runs in its fastest setting on this machine (`--torch-env tuned`, the default). Debian's
# PyTorch calls whatever libblas.so.3 the system provides, and the reference BLAS (netlib) makes
# it 10-20x slower than it can be: the script gives it OpenBLAS (libopenblas0-openmp, on the same
# libgomp as PyTorch) through LD_LIBRARY_PATH, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so
# OpenBLAS picks the kernels for this processor, and ATEN_CPU_CAPABILITY=avx512 where the processor
# has AVX-512 (PyTorch 1.13 otherwise uses its AVX2 kernels). `--torch-env plain` keeps the
# system's libblas and the environment as they are.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
threads="1 2" build="$here/../build-release" reps=11 rounds=1 torch=1 torch_env=tuned
cases=()

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --threads) threads=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --case) cases+=("${2:?}"); shift 2 ;;
    --torch-env) torch_env=${2:?}; shift 2 ;;
    --no-torch) torch=0; shift ;;
    *) usage ;;
    esac
done

exe="$build/bench/rnn"
if [ ! -x "$exe" ]; then
    echo "run_rnn: $exe not found; build first (make bench-rnn does)" >&2
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
for n in $threads; do
    # Both runtimes take the thread count from OMP_NUM_THREADS too (libgomp for recur and
    # oneDNN, PyTorch's intra-op pool); the programs also set it explicitly. Cases alternate
    # between the two programs so that a busy moment on a shared machine hits both alike.
    for ((r = 0; r < rounds; r++)); do
        for c in "${cases[@]}"; do
            OMP_NUM_THREADS=$n "$exe" --threads "$n" --reps "$reps" --case "$c" >>"$results"
            if [ "$torch" = 1 ]; then
                OMP_NUM_THREADS=$n "${torch_run[@]}" "$python" "$here/rnn_torch.py" \
                    --threads "$n" --reps "$reps" --case "$c" >>"$results"
            fi
        done
    done
done

if [ -n "${RNN_BENCH_RAW:-}" ]; then cat "$results"; echo; fi
awk -v reps="$reps" -v rounds="$rounds" -v cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" '
function kv(line, key,    n, i, parts, pair) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) {
        split(parts[i], pair, "=")
        if (pair[1] == key) return pair[2]
    }
    return ""
}
/^torch version/ { tv = kv($0, "version"); blas = kv($0, "blas"); core = kv($0, "openblas_core")
                  cap = kv($0, "cpu_capability") }
# The median of the values list[k, 1..cnt[k]].
function med(list, cnt, k,    i, j, t, v, m) {
    m = cnt[k]
    for (i = 1; i <= m; i++) v[i] = list[k, i] + 0
    for (i = 2; i <= m; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
/^rnn / { c = kv($0, "case"); th = kv($0, "threads"); impl = kv($0, "impl")
          if (!((th, c) in seen)) { seen[th, c] = 1; order[th, ++n[th]] = c }
          if (!(th in tseen)) { tseen[th] = 1; thr[++nt] = th }
          k = th SUBSEP c SUBSEP impl; i = ++cnt[k]
          all_ms[k, i] = kv($0, "ms"); all_f[k, i] = kv($0, "fwd_ms"); all_b[k, i] = kv($0, "bwd_ms")
          v = kv($0, "min_ms") + 0
          if (!(k in mn) || v < mn[k]) mn[k] = v }
END {
    for (k in cnt) { ms[k] = med(all_ms, cnt, k); f[k] = med(all_f, cnt, k); b[k] = med(all_b, cnt, k) }
    printf "bench/rnn: training step (forward + MSE + backward) in ms, %d rounds of %d steps; %s\n",
           rounds, reps, cpu
    if (tv != "") printf "PyTorch %s (%s kernels), BLAS %s%s\n", tv, cap, blas,
                         core != "" ? " (" core " kernels)" : ""
    for (k = 1; k <= nt; k++) {
        th = thr[k]
        printf "\n%d thread(s)      ------------ median ------------   ------------ minimum -----------\n", th
        printf "  %-16s %8s %8s %8s %8s %8s %7s %8s %8s %7s\n", "case", "recur", "fwd", "bwd",
               "torch", "ratio", "", "recur", "torch", "ratio"
        for (i = 1; i <= n[th]; i++) {
            c = order[th, i]
            r = ms[th, c, "recur"]; t = ms[th, c, "torch"]
            if ((th, c, "torch") in ms)
                printf "  %-16s %8.2f %8.2f %8.2f %8.2f %8.2f %7s %8.2f %8.2f %7.2f\n", c, r,
                       f[th, c, "recur"], b[th, c, "recur"], t, r / t, "",
                       mn[th, c, "recur"], mn[th, c, "torch"], mn[th, c, "recur"] / mn[th, c, "torch"]
            else
                printf "  %-16s %8.2f %8.2f %8.2f %8s %8s %7s %8.2f\n", c, r, f[th, c, "recur"],
                       b[th, c, "recur"], "", "", "", mn[th, c, "recur"]
        }
    }
    printf "\nratio = recur / PyTorch (below 1: recur is faster); fwd, bwd: recur'"'"'s parts (medians)\n"
}' "$results"
