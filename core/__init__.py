"""Shared home: settings, the error family, the model factory and logging helpers."""
