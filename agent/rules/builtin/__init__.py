"""The built-in rules' checks and fixes, one module per group of the knowledge base's rules."""
