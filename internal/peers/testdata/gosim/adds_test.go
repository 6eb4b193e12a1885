package work

import "testing"

func TestAdds(t *testing.T) {
	if got := Adds(); got != AddClients {
		t.Errorf("lost update: %d clients added one each, the key holds %d", AddClients, got)
	}
}
