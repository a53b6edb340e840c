"""The LangGraph workshop flow, its human gates and the checkpointed service around it."""
