package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

func list(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tEXPECT\tWHAT")
	for _, e := range catalog() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.expect(), e.About)
	}
	return tw.Flush()
}
