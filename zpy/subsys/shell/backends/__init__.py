"""Shell backends linked into images (image modules: each runs once per image)."""
