/** Real data sets from packages, sharding across ranks, deterministic batch loading. Imports dopt.random. */
package dopt.data;
