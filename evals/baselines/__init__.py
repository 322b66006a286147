"""Baselines every evaluation reports beside Pressroom: the LangChain tutorial, BM25 alone, and a
naive word-overlap sentence picker. They live here, not in the product packages."""
