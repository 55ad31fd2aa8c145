/**
 * Gradient compressors with exact wire sizes, and error feedback (EF14, EF21, normalized EF21)
 * as pieces that wrap any compressor. Imports dopt.random.
 */
package dopt.compress;
