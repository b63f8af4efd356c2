// Package config reads snapshotter's TOML configuration: defaults first,
// then the file, then validation. Every problem is an *Error that names the
// key, the value and the line, and unknown keys are errors, so a typo never
// leaves a setting silently on its default.
package config
