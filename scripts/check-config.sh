#!/bin/bash
# Check that every option a kconfig fragment asks for is in the final .config,
# and that every option it turns off ("# CONFIG_X is not set") is off.
# With a kernel tree, options that no Kconfig file of that tree defines are
# skipped: they come with patches of the series that the tree does not have
# yet (check-bisect builds every patch with the same fragment).
# Usage: check-config.sh FRAGMENT DOT_CONFIG [TREE]
set -euo pipefail
fragment=${1:?usage: check-config.sh FRAGMENT DOT_CONFIG [TREE]}
dotconfig=${2:?usage: check-config.sh FRAGMENT DOT_CONFIG [TREE]}
tree=${3:-}
defined=
if [ -n "$tree" ]; then
	defined=$(grep -rhoE '^[[:space:]]*(menu)?config[[:space:]]+[A-Za-z0-9_]+' \
		--include='Kconfig*' "$tree" | awk '{ print "CONFIG_" $2 }' | sort -u)
fi
missing=0
while IFS= read -r want; do
	name=${want%%=*}
	if [ -n "$tree" ] && ! grep -qxF -- "$name" <<< "$defined"; then
		continue
	fi
	if ! grep -qxF -- "$want" "$dotconfig"; then
		echo "check-config: $(basename "$fragment") wants '$want', got '$(grep -E "^(# )?${name}[= ]" "$dotconfig" || echo unset)'" >&2
		missing=1
	fi
done < <(grep -E '^CONFIG_' "$fragment")
# "# CONFIG_X is not set": X must not be set to anything.
while IFS= read -r off; do
	name=${off#\# }
	name=${name%% *}
	if [ -n "$tree" ] && ! grep -qxF -- "$name" <<< "$defined"; then
		continue
	fi
	if grep -qE "^${name}=" "$dotconfig"; then
		echo "check-config: $(basename "$fragment") wants '$off', got '$(grep -E "^${name}=" "$dotconfig")'" >&2
		missing=1
	fi
done < <(grep -E '^# CONFIG_[A-Za-z0-9_]+ is not set' "$fragment")
exit "$missing"
