# Shared by man8.awk and man5.awk: roff escaping and the layout of rebound's help texts (also the
# comments of the sample configuration) as man(7) markup.
#
# A help text is paragraphs of plain lines, headings ("Exit codes:", a line ending in ':'), and blocks
# indented by two or more spaces (option tables, examples) whose columns must stay as written.

# Text as roff: backslashes printed as such, '-' as the ASCII minus (options stay copy-pasteable), and
# no line starting with a control character.
function roff(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    # groff reads bytes as Latin-1 unless preconv runs: the few non-ASCII characters help texts use, as roff names.
    gsub(/…/, "...", s)
    gsub(/–/, "\\(en", s)
    gsub(/—/, "\\(em", s)
    gsub(/→/, "\\(->", s)
    gsub(/≤/, "\\(<=", s)
    gsub(/≥/, "\\(>=", s)
    gsub(/×/, "\\(mu", s)
    gsub(/·/, "\\(pc", s)
    if (s ~ /^[.']/) s = "\\&" s
    return s
}

# Quotes a macro argument (.B "two words"): a double quote inside is written as \(dq.
function roff_arg(s) {
    s = roff(s)
    gsub(/"/, "\\(dq", s)
    return "\"" s "\""
}

function text_close_block() {
    if (text_in_block) { print ".fi"; print ".RE"; text_in_block = 0 }
}

# One line of a help text; call text_end() after the last.
function text_line(line) {
    sub(/[ \t]+$/, "", line)
    if (line == "") {
        text_close_block()
        text_par = 1
        return
    }
    if (line ~ /^  +[^ ]/) {
        if (!text_in_block) {
            if (text_par && !text_heading) print ".PP"
            print ".RS 4"; print ".nf"
            text_in_block = 1
        }
        print roff(substr(line, 3))
        text_par = 0; text_heading = 0
        return
    }
    if (text_in_block) { text_close_block(); text_par = 1 }
    if (line ~ /^[A-Z][^:]*:$/) {
        print ".PP"; print ".B " roff_arg(line)
        text_par = 0; text_heading = 1
        return
    }
    if (text_par) print ".PP"
    print roff(line)
    text_par = 0; text_heading = 0
}

function text_end() {
    text_close_block()
    text_par = 0; text_heading = 0
}
