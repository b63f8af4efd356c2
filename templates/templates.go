// Package templates holds the HTML templates of the pages snapshotter
// publishes: one chart page per series and the index page with the status
// of every job. They are embedded in the binary so a deployment needs no
// template files next to it.
//
// layout.html defines the pieces every page shares ("head", "footer");
// series.html and index.html are whole pages that use them. The render
// package parses them with html/template and fills them from its own view
// structs, so the templates only place values that are already formatted.
package templates

import "embed"

// FS holds every *.html file of this folder.
//
//go:embed *.html
var FS embed.FS
