"""Background databases: the shipped default and imported ones."""
