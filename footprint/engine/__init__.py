"""The LCA engine on Brightway 2.5 (bw_processing datapackages solved by bw2calc)."""
