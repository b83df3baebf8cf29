#!/bin/bash
# Check that every option a kconfig fragment asks for is in the final .config.
# Usage: check-config.sh FRAGMENT DOT_CONFIG
set -euo pipefail
fragment=${1:?usage: check-config.sh FRAGMENT DOT_CONFIG}
dotconfig=${2:?usage: check-config.sh FRAGMENT DOT_CONFIG}
missing=0
while IFS= read -r want; do
	if ! grep -qxF -- "$want" "$dotconfig"; then
		echo "check-config: $(basename "$fragment") wants '$want', got '$(grep -E "^(# )?${want%%=*}[= ]" "$dotconfig" || echo unset)'" >&2
		missing=1
	fi
done < <(grep -E '^CONFIG_' "$fragment")
exit "$missing"
