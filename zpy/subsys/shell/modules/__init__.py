"""Built-in shell command modules linked into images (kernel, device)."""
