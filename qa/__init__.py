"""Answering questions from the indexed reports: parse → retrieve (hybrid) → answer with citations."""
