/** Benchmark programs that run inside MPJ jobs (started by the scripts in benchmarks/). May import every dopt package. */
package dopt.bench;
