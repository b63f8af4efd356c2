package config

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Error is a problem with one setting. It names the file, the line (0 when
// unknown), the key as written in TOML's dotted form and the offending value.
type Error struct {
	File  string
	Line  int
	Key   string
	Value string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		if e.Value != "" {
			b.WriteString(" = " + e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in the order of the keys'
// checks; it prints one line per problem.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

var (
	headerLine = regexp.MustCompile(`^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$`)
	keyLine    = regexp.MustCompile(`^\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=`)
)

// locate returns the line of key in src. Path is the table, optionally with
// the index of an array-of-tables element ("klines", 2), then the key. It
// returns 0 when the key is written in a form it does not follow (inline
// tables, dotted keys).
func locate(src string, table string, index int, key string) int {
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	current, seen := "", map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if m := headerLine.FindStringSubmatch(line); m != nil {
			current = m[1]
			seen[current]++
			if key == "" && current == table && (index < 0 || seen[current] == index+1) {
				return n
			}
			continue
		}
		m := keyLine.FindStringSubmatch(line)
		if m == nil || current != table {
			continue
		}
		if index >= 0 && seen[current] != index+1 {
			continue
		}
		if k, err := strconv.Unquote(m[1]); err == nil {
			m[1] = k
		}
		if m[1] == key {
			return n
		}
	}
	return 0
}
