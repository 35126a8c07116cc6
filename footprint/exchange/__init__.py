"""PACT (Partnership for Carbon Transparency) data exchange: ProductFootprint JSON and a v3 host."""
