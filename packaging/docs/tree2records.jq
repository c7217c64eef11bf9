# `rebound command-tree` as tab-separated records for man8.awk, one description line per record:
#   V version | C path summary | D line | S name summary | A name description
#   O names value required repeatable inherited description
def clean: gsub("\t"; " ");
(.commands | map({key: .path, value: .summary}) | from_entries) as $summary
| "V\t\(.version)",
  (.commands[] as $c
   | "C\t\($c.path)\t\($c.summary | clean)",
     ($c.description | split("\n")[] | "D\t\(clean)"),
     ($c.subcommands[] | "S\t\(.)\t\($summary["\($c.path) \(.)"] | clean)"),
     ($c.arguments[] | "A\t\(.name)\t\(.description | clean)"),
     ($c.options[] | "O\t\(.names | join(", "))\t\(.value // "")\t\(.required)\t\(.repeatable)\t\(.inherited)\t\(.description | clean)"))
