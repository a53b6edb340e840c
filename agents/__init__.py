"""One module per workshop stage: prompts, output models and the checks code can do itself."""
