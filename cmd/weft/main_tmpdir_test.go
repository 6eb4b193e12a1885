package main

import (
	"os"
	"testing"

	"github.com/weftsim/weft/internal/testmain"
)

func TestMain(m *testing.M) { os.Exit(testmain.PrivateTemp(m)) }
