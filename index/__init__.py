"""Turning report files into searchable, cited chunks in Chroma.

load → normalize → chunk → embed → store; ``pipeline`` runs them in order.
"""
