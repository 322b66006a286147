"""Reading press releases into typed chunks and keeping them in a vector index."""
