#!/usr/bin/env bash
# Write a message into the ivshmem shared memory, padded with NULs to the
# region's size, for the doorbell sample to print when it is rung.
# Usage: write_shared_memory.sh [-s size] [-l location] [-m message] [-v]

size=4194304
location=/dev/shm/ivshmem
message="This is a message test for ivshmem shared memory"
verbose=0

usage() {
	echo "Usage: $0 [-s size] [-l location] [-m message] [-v]" >&2
	echo "  -s size      size of the shared memory in bytes (default $size)" >&2
	echo "  -l location  the shared memory file (default $location)" >&2
	echo "  -m message   the message (default: \"$message\")" >&2
	echo "  -v           say what is written where" >&2
	exit 1
}

while getopts "s:l:m:vh" opt; do
	case "$opt" in
	s) size=$OPTARG ;;
	l) location=$OPTARG ;;
	m) message=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done

case "$size" in
''|*[!0-9]*) echo "error: size must be a number of bytes, got '$size'" >&2; exit 1 ;;
esac
if [ ! -e "$location" ]; then
	echo "error: $location does not exist (is the ivshmem server running?)" >&2
	exit 1
fi
if [ "$verbose" = 1 ]; then
	echo "Writing \"$message\" ($size bytes, NUL padded) to $location"
fi
# One block of exactly `size` bytes: the message, then NULs (conv=sync pads the block).
printf '%s' "$message" | dd of="$location" bs="$size" count=1 conv=sync,notrunc status=none
