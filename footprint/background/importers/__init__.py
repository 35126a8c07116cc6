"""Readers that turn LCI databases (openLCA JSON-LD, EcoSpold, SimaPro CSV, ILCD, PACT) into
background tables (:mod:`footprint.background.importers.tables`)."""
