/**
 * Real data sets from packages (images, tables, text corpora), sharding across ranks (iid,
 * Dirichlet label skew, by source), deterministic batch loading of samples and of language-model
 * token windows. Imports dopt.random (and Jackson, for the packages' JSON files).
 */
package dopt.data;
