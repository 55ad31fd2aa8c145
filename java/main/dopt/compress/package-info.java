/**
 * Gradient compressors with exact wire sizes, and error feedback (EF14, EF21, normalized EF21)
 * as pieces that wrap any compressor; PowerSGD's low-rank factors, which are all-reduced rather
 * than decoded. Imports dopt.random, dopt.state.
 */
package dopt.compress;
