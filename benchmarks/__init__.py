"""Benchmarks of Pressroom: ingest throughput, re-ingest, query latency, serve cold start and memory.

Run with `.venv/bin/python -m benchmarks.run` from the repository root (see benchmarks/README.md).
"""
