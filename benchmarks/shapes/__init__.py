"""Leak shapes for an independent evaluation of the matcher (issue 8); see eval_shapes.py."""
