#!/bin/sh
# Read one ratio per line (one per A/B pair) and print
# "NAME: median Rx (min Rx, max Rx, N pairs)".
# Usage: ... | median.sh NAME
sort -n | awk -v name="$1" '
	{ r[NR] = $1 }
	END {
		printf "%s: median %.2fx (min %.2fx, max %.2fx, %d pairs)\n",
		       name, r[int((NR + 1) / 2)], r[1], r[NR], NR
	}'
