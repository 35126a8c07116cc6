"""PACT ProductFootprints as data: the document model and reader, the bundled JSON schemas and
the decimal text PACT writes numbers in. Used by the exchange (writers, host) and the background
importer of suppliers' footprints."""
