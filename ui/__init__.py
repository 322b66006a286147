"""The web layer: a FastAPI app with a JSON API and the Gradio chat; only the CLI imports it."""
