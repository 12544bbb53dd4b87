"""Typer sub-apps and the support every command shares."""
