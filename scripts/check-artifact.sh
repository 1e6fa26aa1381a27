#!/usr/bin/env bash
# Checks what `make build` made: every function's bootstrap is an ELF executable for ARCH,
# position-independent, and needs no glibc newer than the Lambda runtime ships
# (provided.al2023: glibc 2.34). Prints each one's `file` line and newest glibc symbol version.
# usage: scripts/check-artifact.sh <arm64|x86_64> <sam build dir>
set -euo pipefail
arch=${1:?usage: check-artifact.sh <arm64|x86_64> <dir>}
dir=${2:?usage: check-artifact.sh <arm64|x86_64> <dir>}
runtime_glibc=2.34
case "$arch" in
  arm64) machine=183 ;;   # EM_AARCH64
  x86_64) machine=62 ;;   # EM_X86_64
  *) echo "ARCH must be arm64 or x86_64, not $arch" >&2; exit 2 ;;
esac
failed=0
count=0
for bootstrap in "$dir"/*Function/bootstrap; do
  [ -e "$bootstrap" ] || { echo "no bootstrap in $dir/*Function/" >&2; exit 1; }
  count=$((count + 1))
  name=$(basename "$(dirname "$bootstrap")")
  # e_type (offset 16) and e_machine (offset 18) of the ELF header, little-endian.
  read -r e_type e_machine < <(od -An -tu2 -j16 -N4 "$bootstrap")
  # No GLIBC_ version at all (a static binary) leaves `newest` empty.
  newest=$(readelf --version-info --wide "$bootstrap" | { grep -o 'GLIBC_[0-9][0-9.]*' || true; } | sed 's/GLIBC_//' | sort -Vu | tail -1)
  echo "$name: $(file -b "$bootstrap" 2>/dev/null || echo "e_machine $e_machine")"
  echo "$name: newest glibc symbol version needed: ${newest:-none} (the runtime has $runtime_glibc)"
  if [ "$e_machine" != "$machine" ]; then
    echo "$name: built for e_machine $e_machine, not $arch ($machine)" >&2; failed=1
  fi
  if [ "$e_type" != 3 ]; then
    echo "$name: not position-independent (ELF type $e_type, a PIE is 3)" >&2; failed=1
  fi
  if [ -n "$newest" ] && [ "$(printf '%s\n%s\n' "$newest" "$runtime_glibc" | sort -V | tail -1)" != "$runtime_glibc" ]; then
    echo "$name: needs glibc $newest, newer than the runtime's $runtime_glibc" >&2; failed=1
  fi
done
# Every function of the template has its bootstrap.
functions=$(grep -c 'Type: AWS::Serverless::Function' template.yaml)
if [ "$count" != "$functions" ]; then
  echo "$count bootstrap files in $dir, but template.yaml has $functions functions" >&2; failed=1
fi
[ "$failed" = 0 ] && echo "$count functions: $arch, position-independent, glibc <= $runtime_glibc"
exit "$failed"
