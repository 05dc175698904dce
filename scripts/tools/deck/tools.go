//go:build tools

// Keeps deck's main package in this module's dependency graph for `go build`.
package tools

import _ "github.com/kong/deck"
