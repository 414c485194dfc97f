"""Turning report files into searchable, cited chunks in Chroma.

load → chunk → embed → store; ``indexer.Indexer`` runs them in order.
"""
