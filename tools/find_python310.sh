#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (rasa 3.6.21 runs on 3.10 only), or explain and fail.
set -u
candidates=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  candidates+=("$(pyenv root)"/versions/3.10*/bin/python3.10)
fi
candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
    command -v "$c"
    exit 0
  fi
done
echo "error: Python 3.10 not found. rasa 3.6.21 needs Python 3.10 exactly (3.11+ is refused)." >&2
echo "       Install it (for example 'pyenv install 3.10') or put python3.10 on PATH, then retry." >&2
exit 1
