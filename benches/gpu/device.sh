#!/usr/bin/env bash
# Runs on the lent GPU machine, from the repository root, after `benches/gpu/pack.sh` here:
# the GPU tests on the hardware adapter (IPSD_REQUIRE_GPU=1; the conformance suite runs both
# executors), the engine benches of issue 5's GPU target first (the load bench's transforms on
# a whole 4000×3000 input, CPU executor on every core and on two, GPU whole and dispatch only),
# then a few single steps, and the load bench with
# the GPU executor and with the CPU one. Everything lands in $OUT. Each part has a time limit,
# so the whole fits one call of 9 minutes; a failing part does not stop the others, but the
# exit status is that of the first failure.
# A dry run on lavapipe: ALLOW_SOFTWARE=1 OUT=/tmp/gpu-out bash benches/gpu/device.sh
set -uo pipefail
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
status=0
step() { # step NAME SECONDS COMMAND...: runs COMMAND into $OUT/NAME.log
    local name=$1 secs=$2
    shift 2
    echo "== $name: $*" | tee -a "$OUT/summary.txt"
    local t0=$SECONDS
    timeout "$secs" "$@" > "$OUT/$name.log" 2>&1
    local rc=$?
    echo "   rc=$rc in $((SECONDS - t0)) s" | tee -a "$OUT/summary.txt"
    [ $rc -eq 0 ] || [ $status -ne 0 ] || status=$rc
}
for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
dir=$(cat .gpu/manifest_dir)
if [ "$dir" != "$PWD" ] && [ ! -e "$dir" ]; then
    mkdir -p "$(dirname "$dir")" && ln -s "$PWD" "$dir"
fi
python3 -c 'import tarfile; tarfile.open(".gpu/bins.tar.xz").extractall(".gpu")' || exit 1
mkdir -p target/release && cp .gpu/ipsd target/release/ipsd
{
    echo "revision $(cat .gpu/revision)"
    nproc
    command -v nvidia-smi > /dev/null && nvidia-smi -L
} > "$OUT/machine.txt" 2>&1
soft=()
if [ "${ALLOW_SOFTWARE:-0}" = 1 ]; then
    soft=(--env IPSD_ALLOW_SOFTWARE_GPU=1)
else
    export IPSD_REQUIRE_GPU=1
fi
step tests_gpu 80 .gpu/gpu --test-threads 4
step tests_render_gpu 30 .gpu/render gpu
step tests_conformance 60 .gpu/conformance
step engine 120 .gpu/engine --bench '^engine_'
step engine_steps 60 .gpu/engine --bench '^(resample|affine|op_usm_1_2|op_blur_r10)/(cpu|gpu)$'
step engine_cpu_2cores 40 taskset -c 0,1 .gpu/engine --bench '^engine_.*/cpu$'
step load_gpu 75 .gpu/load --executor gpu "${soft[@]}" --concurrency 1,4,16 \
    --requests 32 --out "$OUT/load-gpu.json"
step load_cpu 75 .gpu/load --executor cpu --concurrency 1,4,16 --requests 32 \
    --out "$OUT/load-cpu.json"
grep -h "time:\|^engine_\|^[a-z_0-9]*/\(cpu\|gpu\)" "$OUT"/engine*.log > "$OUT/engine-times.txt"
exit $status
