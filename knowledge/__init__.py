"""Company knowledge: loaders, chunker, embeddings, the per-company Chroma store and retrieval."""
