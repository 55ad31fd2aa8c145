#!/usr/bin/env bash
# Stochastic Frank-Wolfe on l1-constrained logistic regression (methods.md B4): FW, SFW, SVRF,
# SPIDER-FW, Sarah-FW, Saga-Sarah-FW on spambase-standardized and heart-scale, 3 seeds.
# Writes benchmarks/results/frank-wolfe-<date>/ (report.md, PNG plots, CSV tables and traces).
# Single-threaded, a few minutes of CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
./dopt setup --data spambase >/dev/null
./dopt setup --data heart-scale >/dev/null
mvn -B -q -o package -DskipTests
java --add-modules=jdk.incubator.vector -jar target/dopt.jar experiment run frank-wolfe --seeds 3 "$@"
