"""Answering questions over the index: retrieval, the answerers and their citations."""
