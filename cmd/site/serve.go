package main

import (
	"io"

	"pelqim/cmd/site/internal/serve"
)

func runServe(args []string, stdout, stderr io.Writer) error { return serve.Run(args, stdout, stderr) }
