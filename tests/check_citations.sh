#!/usr/bin/env bash
# Fails when a source comment sends a reader to a document the repository does not
# hold (the shared specs and style guide the project was built against). A rule the
# code relies on is stated in a Note [...] beside the code or in docs/.
#
#   tests/check_citations.sh [source root]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
hits=$(grep -rnE 'spec/[a-z_]+\.md|STYLE\.md|API\.md|spec §' \
         core autograd nn optim $(ls -d distributed 2>/dev/null) examples tests bench fuzz \
         --include='*.h' --include='*.cpp' --include='*.py' --include='*.sh' \
       | grep -v '^tests/check_citations.sh:' || true)
if [ -n "$hits" ]; then
  echo "comments cite documents outside the repository (state the rule in a Note or docs/):"
  echo "$hits"
  exit 1
fi
echo "no comment cites a document outside the repository"
