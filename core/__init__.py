"""The bottom layer: settings, shared types and text helpers. Reads no other package of the project."""
