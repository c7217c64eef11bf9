# Shared by the completion generators (bash.jq, zsh.jq, fish.jq): facts about `rebound command-tree`.

# An option's names as completions: "-?" is left out (a glob character in shells; -h says the same).
def names: .names | map(select(. != "-?"));

# The first sentence of a description: completion menus show one line.
def first_sentence: (capture("^(?<s>.*?[.!?])(\\s+[A-Z(]|$)").s // .) | gsub("\\s+"; " ");

# How a value is completed: a file, a directory, a fixed list, or nothing to offer.
def value_kind:
  if .value == null then "flag"
  elif (.choices // []) | length > 0 then "choices"
  elif .value == "FILE" then "file"
  elif .value == "DIR" then "dir"
  else "none" end;

# The words after "rebound": "rebound ddns update" -> ["ddns", "update"].
def words: .path | split(" ") | .[1:];
