"""The LangGraph workshop flow: the stages declared in order (``stages``), what each does (``workshop``),
the human gates' decisions (``gates``), versions of a playbook, and the checkpointed service around it."""
