/**
 * Parameter sweeps: a sweep file (a base job and axes of dotted job-field paths) expanded into one
 * job per point of the cartesian product, the sweep folder that holds them, their local run or
 * SLURM job-array submission, and the report (table and plots) over the points' outputs.
 * Imports dopt.job and dopt.io.
 */
package dopt.sweep;
