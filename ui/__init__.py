"""User-facing entry points: the command line now, the Gradio app later."""
