package main

// systemEntries lists the reference systems' (variant, property) checks; each
// system adds its own in catalog_<system>.go.
func systemEntries() []entry {
	var out []entry
	out = append(out, healthEntries()...)
	out = append(out, registryEntries()...)
	out = append(out, kvEntries()...)
	return out
}
