#!/usr/bin/env bash
# Runs on the GPU machine (NVIDIA driver, Python with PyTorch; no Java needed), from the repository
# root, with .gpu-carry/ from benchmarks/gpu/package.sh carried along:
#   1. the GPU tests: CudaBackend against CpuBackend for every kernel (dopt.backend.*Test, JUnit console)
#   2. the fused Adam step of dopt (GpuAdamBench) vs the HBM floor (28 bytes/parameter over the
#      bandwidth of our own copy kernel, same run) and vs torch.optim.Adam(fused=True)
# Output under $OUT (set by the device runner) or benchmarks/results/gpu-adam-<date>/: gpu-tests.txt,
# junit/ (XML), gpu-adam-java.json, gpu-adam-torch.json, gpu-adam.md, gpu-adam.json, nvidia-smi.txt.
# Environment: SIZES (default 1e8,5e8,1e9 parameters), ITERS (default 20).
# Exit status: 0 when the tests passed and both benchmarks ran.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
carry=.gpu-carry
out=${OUT:-benchmarks/results/gpu-adam-$(date +%F)}
sizes=${SIZES:-100000000,500000000,1000000000}
iters=${ITERS:-20}
mkdir -p "$out"
[ -d "$carry/jre" ] || { echo "run-on-device.sh: no $carry/jre: run benchmarks/gpu/package.sh first and carry .gpu-carry" >&2; exit 2; }
chmod -R u+x "$carry/jre/bin" "$carry/jre/lib" 2>/dev/null
java="$carry/jre/bin/java"
jars=$(ls "$carry"/lib/*.jar | tr '\n' ':')
status=0

nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || true
echo "== GPU tests" >&2
"$java" --add-modules=jdk.incubator.vector -jar "$carry/junit-console.jar" execute --disable-banner --details=tree \
  --class-path "$carry/test-classes:$carry/dopt.jar:$jars" \
  --select-class dopt.backend.CudaBackendTest --select-class dopt.backend.BackendsTest \
  --select-class dopt.backend.CpuBackendTest --select-class dopt.backend.KernelResourcesTest \
  --reports-dir "$out/junit" 2>&1 | tee "$out/gpu-tests.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "run-on-device.sh: GPU tests failed" >&2; status=1; }
grep -q "no CUDA GPU" "$out/gpu-tests.txt" && { echo "run-on-device.sh: the GPU tests were skipped (see gpu-tests.txt)" >&2; status=1; }

echo "== dopt fused Adam" >&2
"$java" --add-modules=jdk.incubator.vector -cp "$carry/dopt.jar:$carry/lib/*" dopt.bench.GpuAdamBench \
  "$out/gpu-adam-java.json" "$iters" "$sizes" 2>&1 | tee "$out/gpu-adam-java.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "run-on-device.sh: GpuAdamBench failed" >&2; status=1; }

echo "== torch.optim.Adam(fused=True)" >&2
python3 benchmarks/gpu/torch_adam.py "$out/gpu-adam-torch.json" "$iters" "$sizes" 2>&1 | tee "$out/gpu-adam-torch.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "run-on-device.sh: torch benchmark failed" >&2; status=1; }

[ -f "$out/gpu-adam-java.json" ] && python3 benchmarks/gpu/report.py "$out/gpu-adam-java.json" "$out/gpu-adam-torch.json" "$out"
exit $status
