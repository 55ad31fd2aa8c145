# Sourced by the benchmark scripts: installs the PyTorch peer and builds the JMH jar.
#   ensure_torch_peer   Debian's python3-torch (run with /usr/bin/python3) and OpenBLAS: Debian's
#                       torch calls the system BLAS, the slow reference BLAS (about 6 GFLOP/s here)
#                       unless OpenBLAS is installed
#   build_jmh           installs dopt into the local Maven repository and packages benchmarks/jmh
ensure_torch_peer() {
  for pkg in python3-torch libopenblas0-pthread; do
    if [ "$(dpkg-query -W -f='${Status}' $pkg 2>/dev/null)" != "install ok installed" ]; then
      echo "installing Debian $pkg (the PyTorch peer)" >&2
      local sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
      $sudo_ apt-get install -y -q $pkg >/dev/null
    fi
  done
}

build_jmh() {
  # SKIP_BUILD=1 reuses benchmarks/jmh/target/benchmarks.jar as it is (e.g. while another benchmark runs from it)
  if [ "${SKIP_BUILD:-0}" = 1 ] && [ -f benchmarks/jmh/target/benchmarks.jar ]; then return; fi
  # offline first (the usual case: everything cached); online once for a fresh ~/.m2
  mvn -q -B -o install -DskipTests 2>/dev/null || mvn -q -B install -DskipTests
  (cd benchmarks/jmh && { mvn -q -B -o package 2>/dev/null || mvn -q -B package; })
}

# the JMH launcher with the JVM flags every dopt run uses
jmh() {
  java -XX:+UseParallelGC --add-modules=jdk.incubator.vector -jar benchmarks/jmh/target/benchmarks.jar "$@" 2>&1 \
    | grep -v '^WARNING: Using incubator'
}
