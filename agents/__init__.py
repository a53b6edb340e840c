"""What the model is asked and what code checks and writes around it: one module per workshop stage (its
generator, prompts and output models), and the shared grounding, number, slot and linter checks."""
