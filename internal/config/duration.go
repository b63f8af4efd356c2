package config

import (
	"fmt"
	"time"
)

// Duration is a time span written in the file as a string such as "30s" or
// "5m". A bare number is refused: TOML would read 60 as 60 nanoseconds.
type Duration struct{ time.Duration }

// UnmarshalTOML accepts only a string in Go's duration syntax.
func (d *Duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%v is a bare number; write a duration as a string "+
			"with its unit, such as \"%vs\"", v, v)
	}
	parsed, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration; use a number with a unit "+
			"such as \"30s\", \"5m\" or \"1h\"", s)
	}
	d.Duration = parsed
	return nil
}

// String returns the duration in Go's syntax, such as "1m30s".
func (d Duration) String() string { return d.Duration.String() }
