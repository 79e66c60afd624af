// Command pluginmanifest reads plugin.json for the Makefile and writes the
// bundle's copy with the plugin id chosen at build time.
//
//	pluginmanifest get id|version            print a field of plugin.json
//	pluginmanifest write -id ID -out FILE    write plugin.json with id ID
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
)

var validID = regexp.MustCompile(`^[a-z0-9._-]{3,190}$`)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pluginmanifest:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: pluginmanifest get id|version | write -id ID -out FILE")
	}
	raw, err := os.ReadFile("plugin.json")
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("decode plugin.json: %w", err)
	}
	switch args[0] {
	case "get":
		if len(args) != 2 {
			return fmt.Errorf("usage: pluginmanifest get id|version")
		}
		v, ok := m[args[1]].(string)
		if !ok {
			return fmt.Errorf("plugin.json has no string field %q", args[1])
		}
		fmt.Println(v)
		return nil
	case "write":
		fs := flag.NewFlagSet("write", flag.ContinueOnError)
		id := fs.String("id", "", "plugin id (lower case: the server lower-cases ids)")
		out := fs.String("out", "", "output file")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *id == "" || *out == "" {
			return fmt.Errorf("write needs -id and -out")
		}
		if !validID.MatchString(*id) {
			return fmt.Errorf("plugin id %q must be 3-190 characters of a-z, 0-9, '.', '_' or '-' (lower case)", *id)
		}
		m["id"] = *id
		b, err := json.MarshalIndent(m, "", "    ")
		if err != nil {
			return err
		}
		return os.WriteFile(*out, append(b, '\n'), 0o644)
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
}
