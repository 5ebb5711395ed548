#!/usr/bin/env bash
# Runs bench/overhead (recur) and bench/overhead_torch.py (PyTorch) in one go with the same
# thread count and prints one table. `make bench` builds a release build and calls this.
#
#   bench/run_overhead.sh [--threads N] [--build DIR] [--nodes N] [--reps N] [--mm-reps N]
#                         [--no-torch] [--no-matmul]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
threads=1 build="$here/../build-release" nodes=10000 reps=21 mm_reps=9 torch=1 matmul=1

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --threads) threads=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --nodes) nodes=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --mm-reps) mm_reps=${2:?}; shift 2 ;;
    --no-torch) torch=0; shift ;;
    --no-matmul) matmul=0; shift ;;
    *) usage ;;
    esac
done

exe="$build/bench/overhead"
if [ ! -x "$exe" ]; then
    echo "run_overhead: $exe not found; build first (make bench does)" >&2
    exit 1
fi
python=/usr/bin/python3
if [ "$torch" = 1 ] && ! "$python" -c 'import torch' 2>/dev/null; then
    echo "run_overhead: $python has no torch (apt-get install python3-torch), or pass --no-torch" >&2
    exit 1
fi

# Both runtimes take their thread count from here too (libgomp for recur and oneDNN, PyTorch's
# intra-op pool); the programs also set it explicitly.
export OMP_NUM_THREADS=$threads

results=$(mktemp)
trap 'rm -f "$results"' EXIT
only=()
[ "$matmul" = 1 ] || only=(--only chain)
"$exe" --threads "$threads" --nodes "$nodes" --reps "$reps" --mm-reps "$mm_reps" "${only[@]}" \
    >>"$results"
if [ "$torch" = 1 ]; then
    "$python" "$here/overhead_torch.py" --threads "$threads" --nodes "$nodes" --reps "$reps" \
        >>"$results"
    torch_version=$("$python" -c 'import torch; print(torch.__version__)')
else
    torch_version=none
fi

awk -v threads="$threads" -v nodes="$nodes" -v reps="$reps" -v mm_reps="$mm_reps" \
    -v tv="$torch_version" -v cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" '
function kv(line, key,    n, i, parts, pair) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) {
        split(parts[i], pair, "=")
        if (pair[1] == key) return pair[2]
    }
    return ""
}
/^chain / { impl = kv($0, "impl"); elems = kv($0, "elems")
            b[impl] = kv($0, "build_us"); w[impl] = kv($0, "backward_us"); t[impl] = kv($0, "total_us") }
/^matmul / { key = "[" kv($0, "M") "," kv($0, "K") "]x[" kv($0, "K") "," kv($0, "N") "]"
             if (!(key in seen)) { seen[key] = 1; order[++nshapes] = key }
             g[key, kv($0, "impl")] = kv($0, "gflops") }
END {
    printf "bench/overhead: %d thread(s), %s\n\n", threads, cpu
    printf "chain of %d elementwise ops on [%s] tensors, median of %d reps, microseconds per node\n",
           nodes, elems, reps
    printf "  %-22s %10s %10s %10s\n", "", "build", "backward", "total"
    printf "  %-22s %10.3f %10.3f %10.3f\n", "recur", b["recur"], w["recur"], t["recur"]
    if ("torch" in t) {
        printf "  %-22s %10.3f %10.3f %10.3f\n", "PyTorch " tv, b["torch"], w["torch"], t["torch"]
        printf "  %-22s %10.3f %10.3f %10.3f\n", "recur / PyTorch", b["recur"] / b["torch"],
               w["recur"] / w["torch"], t["recur"] / t["torch"]
    }
    if (nshapes) {
        printf "\nmatmul forward, median of %d reps, GFLOP/s\n", mm_reps
        printf "  %-24s %12s %12s %14s\n", "shape", "rc_matmul", "dnnl_sgemm", "recur / sgemm"
        for (i = 1; i <= nshapes; i++) {
            k = order[i]
            printf "  %-24s %12.1f %12.1f %14.3f\n", k, g[k, "recur"], g[k, "dnnl_sgemm"],
                   g[k, "recur"] / g[k, "dnnl_sgemm"]
        }
    }
}' "$results"
