"""What acme_counter.c would take from a private header."""

STEP = 2
