"""The scoring model: its types, the file schema, reading and writing YAML, plain-words descriptions, diffs."""
