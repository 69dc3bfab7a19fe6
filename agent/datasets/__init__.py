"""Training-data tools from the knowledge base: features, synthetic examples, batch validation."""
