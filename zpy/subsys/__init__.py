"""Subsystems: logging, ztest, shell."""
