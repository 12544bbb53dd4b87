# Sourced by examples/run.sh and examples/build_example.sh: which duban to run, exported as DUBAN.
#   DUBAN given: used as is (a relative path is made absolute, as the scripts change directory);
#   otherwise the repository's .venv/bin/duban (the Quickstart installs it there), else duban on PATH.
# So `bash examples/build_example.sh` works right after the Quickstart, before `source .venv/bin/activate`.
_duban_root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${DUBAN:-}" ]]; then
  if [[ -x "$_duban_root/.venv/bin/duban" ]]; then
    DUBAN="$_duban_root/.venv/bin/duban"
  else
    DUBAN=duban
  fi
elif [[ "$DUBAN" == */* && "$DUBAN" != /* ]]; then
  DUBAN="$PWD/$DUBAN"
fi
unset _duban_root
export DUBAN
