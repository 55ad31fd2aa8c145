/**
 * Entry points: the {@code dopt} command line, the MPJ launcher and the per-rank main. The top
 * layer; may import every other dopt package.
 */
package dopt.cli;
