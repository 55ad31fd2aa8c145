#!/usr/bin/env bash
# Packs everything benchmarks/gpu/run-on-device.sh needs on a GPU machine that has no Java into
# .gpu-carry/ (ignored by git), and checks that it stays under the 64 MiB a device run may carry:
#   jre/            a jlink-ed Java runtime with just the modules the jars use (jdeps) + jdk.incubator.vector
#   dopt.jar        with the CUDA kernels (cuda/*.{ptx,fatbin}) built here by CMake + nvcc
#   lib/            its dependency jars without the plotting ones; JCuda's natives jar cut down to the
#                   driver binding it loads
#   test-classes/   the backend tests (dopt.backend.*Test and their helpers)
#   junit-console.jar  org.junit.platform:junit-platform-console-standalone (Maven Central) to run them
# Usage: benchmarks/gpu/package.sh   (then on the device: benchmarks/gpu/run-on-device.sh, carrying .gpu-carry)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
carry="$repo/.gpu-carry"
limit=$((64 * 1024 * 1024))
say() { printf 'package.sh: %s\n' "$*" >&2; }
cd "$repo"

command -v nvcc >/dev/null && command -v cmake >/dev/null || { say "nvcc and cmake are needed to build the kernels"; exit 1; }
for t in jlink jdeps jar; do command -v $t >/dev/null || { say "$t (a JDK 17) is needed"; exit 1; }; done
say "building the CUDA kernels"
{ cmake -S . -B target/cuda-build && cmake --build target/cuda-build; } >target/cuda-build.log 2>&1 \
  || { tail -20 target/cuda-build.log >&2; say "kernel build failed (target/cuda-build.log)"; exit 1; }
say "building dopt.jar and the test classes"
mvn -B -q -o package test-compile -DskipTests 2>/dev/null || mvn -B -q package test-compile -DskipTests

# the JUnit platform of junit-jupiter 5.14.1 (pom.xml)
console="org.junit.platform:junit-platform-console-standalone:1.14.1"
mkdir -p target/gpu-tools
if ! ls target/gpu-tools/junit-platform-console-standalone-*.jar >/dev/null 2>&1; then
  say "fetching $console"
  mvn -B -q -o dependency:copy -Dartifact="$console" -DoutputDirectory=target/gpu-tools 2>/dev/null \
    || mvn -B -q dependency:copy -Dartifact="$console" -DoutputDirectory=target/gpu-tools
fi

rm -rf "$carry"
mkdir -p "$carry/lib" "$carry/test-classes/dopt/tensor"
cp target/dopt.jar "$carry/"
# the plotting jars (XChart and what it brings: 4.3 MB) stay behind: the device run draws no plots
for j in target/lib/*.jar; do
  case "$(basename "$j")" in
    jcuda-natives-*|xchart-*|pdfbox-*|fontbox-*|graphics2d-*|VectorGraphics2D-*|animated-gif-lib-*|commons-logging-*) ;;
    *) cp "$j" "$carry/lib/" ;;
  esac
done
# JCuda's natives jar holds four libraries (24 MB uncompressed for the PTX compiler alone); the
# driver API needs only libJCudaDriver, loaded as the resource /lib/libJCudaDriver-<version>-<os>-<arch>.so
natives=$(ls target/lib/jcuda-natives-*.jar)
tmp=$(mktemp -d)
(cd "$tmp" && unzip -q "$repo/$natives" 'lib/libJCudaDriver-*' && jar cf "$carry/lib/$(basename "$natives")" lib)
rm -rf "$tmp"
cp -r target/test-classes/dopt/backend "$carry/test-classes/dopt/"
cp target/test-classes/dopt/tensor/BitExact*.class "$carry/test-classes/dopt/tensor/"
cp target/gpu-tools/junit-platform-console-standalone-*.jar "$carry/junit-console.jar"

# the module list is jdeps' last line (split-package warnings come before it)
modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 \
  "$carry/dopt.jar" "$carry"/lib/*.jar "$carry/junit-console.jar" "$carry/test-classes" 2>/dev/null | tail -1)
[[ "$modules" =~ ^[a-z0-9.,]+$ ]] || { say "jdeps gave no module list: $modules"; exit 1; }
modules="$modules,jdk.incubator.vector,jdk.unsupported"
say "jlink: $modules"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$carry/jre"
# Debian's libjvm.so keeps its symbol table (4 MB); the JVM does not need it
find "$carry/jre/lib" -name '*.so' -exec strip --strip-unneeded {} +
# the runtime and the jars must run the tests: the CPU backend's here (the GPU ones skip without a GPU)
say "checking the carried runtime with CpuBackendTest"
"$carry/jre/bin/java" --add-modules=jdk.incubator.vector -jar "$carry/junit-console.jar" execute --disable-banner --details=summary \
  --class-path "$carry/test-classes:$carry/dopt.jar:$(ls "$carry"/lib/*.jar | tr '\n' ':')" \
  --select-class dopt.backend.CpuBackendTest --fail-if-no-tests >/dev/null 2>"$carry/../target/gpu-carry-check.log" \
  || { tail -20 target/gpu-carry-check.log >&2; say "the carried runtime could not run CpuBackendTest"; exit 1; }

size=$(du -sb "$carry" | cut -f1)
say "$(du -sh "$carry" | cut -f1) in .gpu-carry: jre $(du -sh "$carry/jre" | cut -f1), jars $(du -shc "$carry"/*.jar "$carry/lib" | tail -1 | cut -f1)"
if [ "$size" -gt "$limit" ]; then say "too big: $size bytes > 64 MiB"; exit 1; fi
echo "$size"
