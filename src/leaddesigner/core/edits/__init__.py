"""Edits to a model: commands that return their inverse, and the change events views follow."""
