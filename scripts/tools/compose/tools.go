//go:build tools

// Keeps compose's main package in this module's dependency graph for `go build`.
package tools

import _ "github.com/docker/compose/v2/cmd"
