"""Evaluating Pressroom against question sets: metrics, side-by-side reports, regression checks."""
